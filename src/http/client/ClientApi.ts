import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { TawsilInstance } from "../../providers/TawsilChain.js"
import { answer } from "./BarakatAnswer.js"
import { makeCheck } from "./ClientCheck.js"
import { makeClientAuth } from "./ClientAuth.js"
import { makeNewOrder } from "./ClientNewOrder.js"
import { makeProducts } from "./ClientProducts.js"
import { profile } from "./ClientProfile.js"

/**
 * The Barakat/Apstore-compatible client API (docs/wire-protocols.md §3, the receiving side) on the same server as
 * `/v1`: the same accounts, keys (`api-token`), balances and packages, so an integration written for Barakat — a
 * Tawsil's own Barakat adapter included — works against Tawsil unchanged. Plain routes, not part of the HttpApi.
 */
export const ClientApiLive = HttpRouter.use((router) =>
  Effect.gen(function* () {
    const auth = yield* makeClientAuth
    const newOrder = answer(yield* makeNewOrder(auth))
    yield* router.add("GET", "/client/api/profile", answer(profile(auth)))
    yield* router.add("GET", "/client/api/products", answer(yield* makeProducts(auth)))
    yield* router.add("GET", "/client/api/newOrder/:productId/params", newOrder)
    yield* router.add("POST", "/client/api/newOrder/:productId/params", newOrder)
    yield* router.add("GET", "/client/api/check", answer(yield* makeCheck(auth)))
  })
).pipe(Layer.provide(TawsilInstance.layer))
