/**
 * A purchase is a Tawsil order placed inside the host's own transaction (`Orders.createIn` in `Shop.buy`): rolled
 * back with the host's rows, nothing is left (no order, no charge, nothing sent); committed, the engine settles it.
 * Only "tawsil" and "tawsil/testing" are imported.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { Accounts } from "tawsil"
import { Script, ScriptedProvider, TawsilTest, TestPostgres } from "tawsil/testing"
import { hostTestLayer, ShopAccount, shopPackageId } from "./HostTestLayer.js"
import { Shop } from "./Shop.js"

/** The host's checkout gives up after the purchase (say its own stock reservation failed). */
class CheckoutAbandoned extends Schema.TaggedError<CheckoutAbandoned>()("CheckoutAbandoned", {
  message: Schema.String
}) {}

const testClockMillis = TestClock.testClockWith((clock) => clock.currentTimeMillis)

const count = (table: "shop_purchases" | "tawsil.orders" | "tawsil.ledger_entries") =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ n: number }>`select count(*)::int as n from ${sql(table)}`.pipe(Effect.map((rows) => rows[0]?.n))
  ).pipe(Effect.orDie)

const balance = Effect.gen(function* () {
  const { accountId } = yield* ShopAccount
  return (yield* (yield* Accounts).get(accountId)).balance
}).pipe(Effect.orDie)

/** The shop's package at 35.00, sent to a scripted provider answering pending, pending, delivered. */
const scriptedProduct = Effect.gen(function* () {
  yield* TawsilTest.scriptedProvider("acme", {
    check: [Script.pending(), Script.pending(), Script.delivered("4321-8765")]
  })
  yield* TawsilTest.product(shopPackageId, { mode: "auto", primary: "acme" }, "35.00")
})

const HostTestLive = hostTestLayer(TawsilTest.layerWithSql(), TestPostgres)

describe("Orders.createIn: a purchase inside the host's transaction", () => {
  it.effect("the host's transaction rolls back: no purchase, no order, no charge, nothing sent", () =>
    Effect.gen(function* () {
      yield* scriptedProduct
      const sql = yield* SqlClient.SqlClient
      const shop = yield* Shop
      const checkout = Effect.andThen(
        shop.buy({ purchaseId: "p-1", playerId: "5551234" }),
        Effect.fail(new CheckoutAbandoned({ message: "out of stock" }))
      )
      const failure = yield* Effect.flip(sql.withTransaction(checkout))
      assert.strictEqual(failure._tag, "CheckoutAbandoned")

      // a minute of the engine's time: a committed order would have been sent and checked by now
      yield* TawsilTest.advance("1 minute")
      assert.deepStrictEqual(
        [
          yield* count("shop_purchases"),
          yield* count("tawsil.orders"),
          yield* count("tawsil.ledger_entries")
        ],
        [0, 0, 1],
        "only the account's opening credit is in the ledger"
      )
      assert.strictEqual(yield* balance, "100.00")
      assert.deepStrictEqual(yield* (yield* ScriptedProvider).calls(), [])
    }).pipe(Effect.provide(HostTestLive))
  )

  it.effect("committed: charged with the host's row, then settled by the engine", () =>
    Effect.gen(function* () {
      yield* scriptedProduct
      const sql = yield* SqlClient.SqlClient
      const purchase = yield* sql.withTransaction(
        (yield* Shop).buy({ purchaseId: "p-1", playerId: "5551234" })
      )
      assert.strictEqual(purchase.status, "pending")
      assert.strictEqual(yield* count("shop_purchases"), 1)
      assert.strictEqual(yield* balance, "65.00", "charged in the host's transaction")

      const settled = yield* TawsilTest.awaitSettled(purchase.orderId)
      assert.strictEqual(settled.status, "approved")
      assert.strictEqual(settled.pin, "4321-8765")
      const rows = yield* sql<{ order_id: string; status: string }>`
        select p.order_id, o.status from shop_purchases p join tawsil.orders o on o.id = p.order_id`
      assert.deepStrictEqual(rows, [{ order_id: purchase.orderId, status: "approved" }])
      assert.strictEqual(yield* balance, "65.00", "charged once")
    }).pipe(Effect.provide(HostTestLive))
  )
})

describe("TawsilTest.awaitSettled: the engine's time, skipped", () => {
  it.effect("pending, pending, delivered: settled after exactly 30 s of TestClock time", () =>
    Effect.gen(function* () {
      yield* scriptedProduct
      const before = yield* testClockMillis
      const purchase = yield* (yield* Shop).buy({ purchaseId: "p-1", playerId: "5551234" })
      const settled = yield* TawsilTest.awaitSettled(purchase.orderId)
      assert.strictEqual((yield* testClockMillis) - before, 30_000)
      assert.strictEqual(settled.status, "approved")
      assert.deepStrictEqual(
        (yield* (yield* ScriptedProvider).calls({ orderId: purchase.orderId })).map(
          (call) => `${call.operation} ${call.answer} @${call.atMillis - before}ms`
        ),
        [
          "place Accepted @0ms",
          "check Pending @10000ms",
          "check Pending @20000ms",
          "check Succeeded @30000ms"
        ]
      )
    }).pipe(Effect.provide(HostTestLive))
  )
})
