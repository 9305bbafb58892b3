import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { SqlClient } from "effect/sql"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import { Accounts } from "../../src/orders/Accounts.js"
import { Orders } from "../../src/orders/Orders.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { fundedAccount, simulatorPackage } from "../support/Fixtures.js"
import { eventually } from "../support/Eventually.js"
import { TestDatabase } from "../support/TestDatabase.js"
import {
  advanceUntil,
  createPurchases,
  hostNode,
  hostStack,
  intakeNode,
  purchasesCount,
  request
} from "./HostFixtures.js"

const ordersCount = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ n: number }>`select count(*)::int as n from tawsil.orders`.pipe(
    Effect.map((rows) => rows[0]!.n),
    Effect.orDie
  )
)

/** A host's purchase and its order in one transaction of the host's. */
const purchase = (purchaseId: string, accountId: string, key?: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const orders = yield* Orders
    const created = yield* orders.createIn({
      accountId: accountId as never,
      request: request("pubg"),
      idempotencyKey: key
    })
    yield* sql`insert into purchases (id, order_id) values (${purchaseId}, ${created.order.id})
               on conflict (id) do nothing`
    return created
  })

describe("Orders.createIn: an order inside the host's transaction", () => {
  it.effect("rolled back: no order, no charge, no fiber", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* createPurchases
      yield* simulatorPackage("pubg", "35.00")
      const { account } = yield* fundedAccount("100.00")
      const exit = yield* sql
        .withTransaction(
          Effect.andThen(purchase("p-1", account.id), Effect.fail("the host gives up" as const))
        )
        .pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(yield* ordersCount, 0)
      assert.strictEqual(yield* purchasesCount, 0)
      assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "100.00")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
      assert.strictEqual(yield* (yield* Dispatcher).inFlight, 0)
      assert.deepStrictEqual(yield* (yield* SimulatorProvider).calls, [])
    }).pipe(Effect.provide(hostStack()))
  )

  it.effect("committed: charged with the host's row, sent at once (no poll), settled", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* createPurchases
      yield* simulatorPackage("pubg", "35.00")
      const { account } = yield* fundedAccount("100.00")
      const orders = yield* Orders
      const created = yield* sql.withTransaction(purchase("p-1", account.id))
      assert.strictEqual(created.order.status, "pending")
      assert.strictEqual(yield* purchasesCount, 1)
      assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "65.00")
      // the TestClock stands still: only the after-commit wake-up can have the claim loop take the order now
      const simulator = yield* SimulatorProvider
      yield* eventually(simulator.calls, (calls) => calls.length === 1)
      const settled = yield* advanceUntil(
        orders.get(account.id, created.order.id),
        (o) => o.status !== "pending"
      )
      assert.strictEqual(settled.status, "approved")
    }).pipe(Effect.provide(hostStack({ dispatch: { heartbeatInterval: Duration.hours(1) } })))
  )

  it.effect("the same idempotency key in two host transactions: one order, one charge", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* createPurchases
      yield* simulatorPackage("pubg", "35.00")
      const { account } = yield* fundedAccount("100.00")
      const first = yield* sql.withTransaction(purchase("p-1", account.id, "buy-1"))
      const second = yield* sql.withTransaction(purchase("p-1", account.id, "buy-1"))
      assert.isFalse(first.replayed)
      assert.isTrue(second.replayed)
      assert.strictEqual(second.order.id, first.order.id)
      assert.strictEqual(yield* ordersCount, 1)
      assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "65.00")
    }).pipe(Effect.provide(hostStack()))
  )

  it.effect(
    "created on a node without an engine: another node's engine claims it at its next claim, never before the commit",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* createPurchases
        yield* simulatorPackage("pubg", "35.00")
        const { account } = yield* fundedAccount("100.00")
        const intake = yield* Effect.map(Layer.build(intakeNode), (context) =>
          context.mapUnsafe.get(Orders.key)
        )
        assert.isDefined(intake)
        const created = yield* sql.withTransaction(
          Effect.gen(function* () {
            const order = yield* (intake as Orders["Service"]).createIn({
              accountId: account.id,
              request: request("pubg"),
              idempotencyKey: undefined
            })
            yield* sql`insert into purchases (id, order_id) values ('p-1', ${order.order.id})`
            return order
          })
        )
        const simulator = yield* SimulatorProvider
        yield* TestClock.adjust("1 hour")
        const calls = yield* eventually(simulator.calls, (calls) =>
          calls.some((call) => call.operation === "place")
        )
        const places = calls.filter((call) => call.operation === "place")
        assert.deepStrictEqual(
          places.map((call) => call.reference),
          [created.order.dispatch.reference]
        )
      }).pipe(
        Effect.scoped,
        // the engine's node claims once an hour: the order starts at that claim
        Effect.provide(
          hostNode({ dispatch: { heartbeatInterval: Duration.hours(1) } }).pipe(
            Layer.provideMerge(TestDatabase)
          )
        )
      )
  )
})
