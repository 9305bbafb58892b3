/**
 * Tawsil's whole HTTP API served from a host's process (`httpLayer`), called through the public typed client
 * (`makeClient`) over real HTTP, with the engine on the TestClock. Only `tawsil` and `tawsil/testing` are imported.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, HttpServer } from "effect/http"
import { httpLayer, makeClient } from "tawsil"
import { Script, TawsilTest } from "tawsil/testing"

const adminToken = "kit-admin-token"

const ServedLive = httpLayer(Redacted.make(adminToken)).pipe(
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(TawsilTest.layer())
)

const baseUrl = Effect.map(HttpServer.HttpServer, ({ address }) =>
  address._tag === "UnixPathAddress" ? "http://unix-socket" : `http://127.0.0.1:${address.port}`
)

describe("makeClient: the typed client of Tawsil's API", () => {
  it.effect("an operator sets up, a reseller orders, the engine approves it at the first poll", () =>
    Effect.gen(function* () {
      const url = yield* baseUrl
      yield* TawsilTest.scriptedProvider("acme", { check: [Script.succeeded("4242-4242")] })

      const admin = yield* makeClient(url, { token: adminToken })
      yield* admin.admin.putPackage({
        params: { id: "pubg-325" },
        payload: {
          name: "PUBG 325 UC",
          price: "35.00",
          currency: "USD",
          enabled: true,
          route: { mode: "auto", primary: "acme" },
          mappings: {}
        }
      })
      const { account, apiKey } = yield* admin.admin.createAccount({
        payload: { name: "Reseller", currency: "USD", overdraftLimit: "0.00" }
      })
      yield* admin.admin.credit({ params: { id: account.id }, payload: { amount: "50.00" } })

      const reseller = yield* makeClient(url, { token: apiKey })
      const order = yield* reseller.orders.create({
        payload: { packageId: "pubg-325", playerId: "5551234", quantity: 1 },
        headers: { "idempotency-key": "first" }
      })
      assert.strictEqual(order.status, "pending")

      yield* TawsilTest.advancePolls(1)
      const approved = yield* reseller.orders.get({ params: { id: order.id } })
      assert.strictEqual(approved.status, "approved")
      assert.strictEqual(approved.pin, "4242-4242")

      const anonymous = yield* makeClient(url)
      const refused = yield* Effect.flip(anonymous.orders.get({ params: { id: order.id } }))
      assert.strictEqual(refused._tag, "Unauthorized")
    }).pipe(Effect.provide(FetchHttpClient.layer), Effect.provide(ServedLive))
  )
})
