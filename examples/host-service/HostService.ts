import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer, type Redacted } from "effect"
import { authLayer, ordersHandlers } from "tawsil"
import { HostApi } from "./HostApi.js"
import { Shop, ShopTablesLive } from "./Shop.js"

const ShopHttpLive = HttpApiBuilder.group(HostApi, "shop", (handlers) =>
  Effect.map(Shop, (shop) => handlers.handle("buy", ({ payload }) => shop.buy(payload)))
)

/** Tawsil's own handlers for its `orders` group, served as part of the host's API. */
const OrdersHttpLive = HttpApiBuilder.group(HostApi, "orders", ordersHandlers)

/**
 * The host's HTTP server: `POST /shop/buy` and Tawsil's `/v1/orders…`. Needs an `HttpServer`, a `SqlClient`, the
 * `ShopConfig`, and Tawsil's services (`TawsilLive` from "tawsil", or `TawsilTest.layerWithSql()` in a test).
 */
export const HostServiceLive = (tawsilAdminToken: Redacted.Redacted<string>) =>
  HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiBuilder.api(HostApi)),
    Layer.provide([ShopHttpLive, OrdersHttpLive]),
    Layer.provide(authLayer(tawsilAdminToken)),
    Layer.provide(Shop.Default),
    Layer.provide(ShopTablesLive)
  )
