/**
 * A host service embedding Tawsil, tested through the public entry points only ("tawsil", "tawsil/testing"): the
 * host's own endpoint places an order in-process, the host's API serves Tawsil's orders group, and the engine
 * (running inside the host, on the host's database) settles the order with a scripted provider on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { findPackageJSON } from "node:module"
import { pathToFileURL } from "node:url"
import { Script, TawsilTest, TestPostgres } from "tawsil/testing"
import { hostClient, hostTestLayer, ShopAccount, shopPackageId } from "./HostTestLayer.js"

/** The shop's package, at 35.00, sent to a scripted provider `acme` that answers pending twice, then delivered. */
const acmeProduct = Effect.gen(function* () {
  yield* TawsilTest.scriptedProvider("acme", {
    place: [Script.accepted()],
    check: [Script.pending(), Script.pending(), Script.succeeded("1234-5678")]
  })
  yield* TawsilTest.product(shopPackageId, { mode: "auto", primary: "acme" }, "35.00")
})

// Tawsil inside the host, on the host's database: built first, so the engine runs on the test's TestClock
const HostTestLive = hostTestLayer(TawsilTest.layerWithSql(), TestPostgres)

describe("examples/host-service: Tawsil embedded in a host's Effect service", () => {
  it("one Effect: tawsil's imports of effect resolve to the host's own copy (installed as a copy, not a link)", () => {
    const tawsil = findPackageJSON("tawsil", import.meta.url)
    assert.isDefined(tawsil)
    assert.strictEqual(
      findPackageJSON("effect", pathToFileURL(tawsil)),
      findPackageJSON("effect", import.meta.url)
    )
  })

  it.effect(
    "POST /shop/buy places a Tawsil order in-process; the engine gets it approved after three polls",
    () =>
      Effect.gen(function* () {
        yield* acmeProduct
        const { apiKey } = yield* ShopAccount
        const shopper = yield* hostClient()
        const reseller = yield* hostClient(apiKey)

        const purchase = yield* shopper.shop.buy({ payload: { purchaseId: "p-1", playerId: "5551234" } })
        assert.strictEqual(purchase.status, "pending", "the host answers at once")

        // Tawsil's orders group, mounted in the host's API, with Tawsil's authentication
        const unauthenticated = yield* Effect.flip(shopper.orders.get({ params: { id: purchase.orderId } }))
        assert.strictEqual(unauthenticated._tag, "Unauthorized")
        const get = reseller.orders.get({ params: { id: purchase.orderId } })
        assert.strictEqual((yield* get).status, "pending")
        assert.strictEqual((yield* reseller.orders.account()).balance, "65.00", "charged at creation")

        yield* TawsilTest.advancePolls(2)
        assert.strictEqual((yield* get).status, "pending")
        yield* TawsilTest.advancePolls(1)
        const approved = yield* get
        assert.strictEqual(approved.status, "approved")
        assert.strictEqual(approved.dispatch.state, "done")
        assert.strictEqual(approved.pin, "1234-5678")

        // the same purchase again is the same order (the purchase id is Tawsil's idempotency key)
        const again = yield* shopper.shop.buy({ payload: { purchaseId: "p-1", playerId: "5551234" } })
        assert.strictEqual(again.orderId, purchase.orderId)
        assert.strictEqual((yield* reseller.orders.account()).balance, "65.00", "charged once")

        // Tawsil's ops group on the host's port: its metrics counted this order
        const metrics = yield* shopper.ops.metrics({ headers: {} })
        assert.match(metrics, /^tawsil_orders_created_total\{outcome="created"\} [1-9]/m)
        assert.match(metrics, /^tawsil_orders_finished_total\{outcome="approved"\} [1-9]/m)
        assert.deepStrictEqual(yield* shopper.ops.readyz(), { status: "ready" })

        // the host's own table, in the same database as Tawsil's
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ order_id: string; status: string }>`
        select p.order_id, o.status from shop_purchases p join tawsil.orders o on o.id = p.order_id`
        assert.deepStrictEqual(rows, [{ order_id: purchase.orderId, status: "approved" }])
      }).pipe(Effect.provide(HostTestLive))
  )

  it.effect("a purchase past the balance is refused by the host's own error, and nothing is sent", () =>
    Effect.gen(function* () {
      yield* acmeProduct
      const shopper = yield* hostClient()
      const bought = yield* Effect.forEach(["p-1", "p-2", "p-3"], (purchaseId) =>
        Effect.result(shopper.shop.buy({ payload: { purchaseId, playerId: "5551234" } }))
      )
      assert.deepStrictEqual(
        bought.map((result) => (result._tag === "Success" ? "bought" : result.failure._tag)),
        ["bought", "bought", "PurchaseRefused"],
        "35.00 each from 100.00"
      )
      yield* TawsilTest.advancePolls(3)
      const sql = yield* SqlClient.SqlClient
      const statuses = yield* sql<{ status: string }>`select status from tawsil.orders order by number`
      assert.deepStrictEqual(
        statuses.map((row) => row.status),
        ["approved", "approved"]
      )
    }).pipe(Effect.provide(HostTestLive))
  )
})
