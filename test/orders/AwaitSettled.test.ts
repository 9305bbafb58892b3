import { assert, describe, it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Queue, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import { SqlClient } from "effect/sql"
import { OperatorActions } from "../../src/admin/OperatorActions.js"
import { ApproveRequest, DispatchRequest } from "../../src/orders/Operator.js"
import { PutPackageRequest } from "../../src/orders/Package.js"
import { Packages } from "../../src/orders/Packages.js"
import { Orders } from "../../src/orders/Orders.js"
import { orderChangesChannel } from "../../src/orders/settlement/Settlement.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { fundedAccount, simulatorPackage } from "../support/Fixtures.js"
import { eventually } from "../support/Eventually.js"
import { TestDatabase } from "../support/TestDatabase.js"
import { advanceUntil, hostNode, hostStack, request } from "./HostFixtures.js"

const statusOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ status: string }>`select status from tawsil.orders where id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]!.status),
      Effect.orDie
    )
  )

const settledRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ order_id: string; status: string }>`select order_id, status from settled_orders`.pipe(Effect.orDie)
)

const createOrder = Effect.gen(function* () {
  yield* simulatorPackage("pubg", "35.00")
  const { account } = yield* fundedAccount("100.00")
  const created = yield* (yield* Orders).create({
    accountId: account.id,
    request: request("pubg"),
    idempotencyKey: undefined
  })
  return created.order
})

describe("settlement you can follow", () => {
  it.effect("awaitSettled returns the order once the engine approves it", () =>
    Effect.gen(function* () {
      const orders = yield* Orders
      const order = yield* createOrder
      const waiting = yield* Effect.forkChild(orders.awaitSettled(order.id))
      const simulator = yield* SimulatorProvider
      yield* eventually(simulator.calls, (calls) => calls.length === 1)
      yield* advanceUntil(statusOf(order.id), (status) => status !== "pending")
      const settled = yield* Fiber.join(waiting)
      assert.strictEqual(settled.id, order.id)
      assert.strictEqual(settled.status, "approved")
      // an order already settled answers at once
      assert.strictEqual((yield* orders.awaitSettled(order.id)).status, "approved")
      const missing = yield* Effect.flip(orders.awaitSettled("00000000-0000-4000-8000-000000000000"))
      assert.strictEqual(missing._tag, "OrderNotFound")
    }).pipe(Effect.provide(hostStack({ orderChanges: true })))
  )

  it.effect("changes: one node sees pending → approved made by an operator on another node", () =>
    Effect.gen(function* () {
      // the TestClock stands still: the engine sends the order and waits for its first check
      const order = yield* createOrder
      const changes = (yield* Orders).changes
      const seen = yield* Effect.forkChild(
        changes.pipe(
          Stream.filter((change) => change.id === order.id),
          Stream.take(1),
          Stream.runCollect
        )
      )
      // the listener is up once the fiber subscribed; give it a moment of real time
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
      const other = yield* Layer.build(hostNode({ orderChanges: true }))
      const operator = other.mapUnsafe.get(OperatorActions.key) as OperatorActions["Service"]
      yield* operator.approve(order.id, new ApproveRequest({ pin: "PIN-1" }))
      const [change] = yield* Fiber.join(seen)
      assert.deepStrictEqual(change, { id: order.id, status: "approved", dispatchState: "done" })
    }).pipe(
      Effect.scoped,
      Effect.provide(
        hostNode({ dispatch: { heartbeatInterval: Duration.hours(1) }, orderChanges: true }).pipe(
          Layer.provideMerge(TestDatabase)
        )
      )
    )
  )

  it.effect("with orderChanges, an operator's re-dispatch of a manual order is announced too", () =>
    Effect.gen(function* () {
      yield* simulatorPackage("pubg", "35.00")
      yield* (yield* Packages).put(
        "by-hand",
        new PutPackageRequest({
          name: "By hand",
          price: "35.00",
          currency: "USD",
          enabled: true,
          route: { mode: "manual", primary: "sim" },
          mappings: {}
        })
      )
      const { account } = yield* fundedAccount("100.00")
      const orders = yield* Orders
      const created = yield* orders.create({
        accountId: account.id,
        request: request("by-hand"),
        idempotencyKey: undefined
      })
      yield* eventually(
        orders.get(account.id, created.order.id),
        (order) => order.dispatch.state === "manual"
      )
      const notifications = yield* (yield* PgClient.PgClient).listen(orderChangesChannel)
      yield* (yield* OperatorActions).dispatch(created.order.id, new DispatchRequest({ providerId: "sim" }))
      const notice = yield* Queue.take(notifications).pipe(
        Effect.timeoutOrElse({
          duration: "5 seconds",
          orElse: () => Effect.die(new Error("no notification of the re-dispatch"))
        }),
        TestClock.withLive
      )
      assert.deepInclude(JSON.parse(notice.payload), { id: created.order.id, status: "pending" })
    }).pipe(Effect.scoped, Effect.provide(hostStack({ orderChanges: true })))
  )

  it.effect(
    "unless asked (orderChanges), a settlement notifies nobody and `changes` says what it needs",
    () =>
      Effect.gen(function* () {
        const order = yield* createOrder
        const notifications = yield* (yield* PgClient.PgClient).listen(orderChangesChannel)
        const waiting = yield* Effect.forkChild((yield* Orders).awaitSettled(order.id))
        yield* Effect.yieldNow
        const operator = yield* OperatorActions
        yield* operator.approve(order.id, new ApproveRequest({ pin: "PIN-1" }))
        // the wait re-reads the order every second (of the TestClock here)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(waiting)).status, "approved")
        // a notification comes at the approval's commit, long before this
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
        assert.strictEqual(yield* Queue.size(notifications), 0)
        const died = yield* (yield* Orders).changes.pipe(Stream.runDrain, Effect.exit)
        assert.isTrue(Exit.isFailure(died) && Cause.pretty(died.cause).includes("orderChanges: true"))
      }).pipe(Effect.scoped, Effect.provide(hostStack()))
  )

  it.effect("onSettled writes the host's row in the settlement's transaction", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`create table settled_orders (order_id uuid primary key, status text not null)`
      const order = yield* createOrder
      const settled = yield* (yield* Orders).awaitSettled(order.id).pipe(
        Effect.forkChild,
        Effect.tap(() => advanceUntil(statusOf(order.id), (status) => status !== "pending")),
        Effect.flatMap(Fiber.join)
      )
      assert.strictEqual(settled.status, "approved")
      assert.deepStrictEqual(yield* settledRows, [{ order_id: order.id, status: "approved" }])
    }).pipe(
      Effect.provide(
        hostStack({
          orderChanges: true,
          onSettled: (order, sql) =>
            sql`insert into settled_orders (order_id, status) values (${order.id}, ${order.status})`
        })
      )
    )
  )

  it.effect("a failing onSettled rolls the settlement back; the engine settles the order again", () =>
    Effect.gen(function* () {
      const calls = yield* Ref.make(0)
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`create table settled_orders (order_id uuid primary key, status text not null)`
        const order = yield* createOrder
        yield* advanceUntil(Ref.get(calls), (n) => n === 1)
        // the first settlement was rolled back with its hook: still pending, no host row
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
        assert.strictEqual(yield* statusOf(order.id), "pending")
        assert.deepStrictEqual(yield* settledRows, [])
        yield* advanceUntil(statusOf(order.id), (status) => status !== "pending")
        assert.strictEqual(yield* statusOf(order.id), "approved")
        assert.strictEqual(yield* Ref.get(calls), 2)
        assert.deepStrictEqual(yield* settledRows, [{ order_id: order.id, status: "approved" }])
      }).pipe(
        Effect.provide(
          hostStack({
            onSettled: (order, sql) =>
              Effect.gen(function* () {
                yield* sql`insert into settled_orders (order_id, status) values (${order.id}, ${order.status})`
                if ((yield* Ref.getAndUpdate(calls, (n) => n + 1)) === 0) {
                  return yield* Effect.fail("the host's ledger is busy")
                }
              })
          })
        )
      )
    })
  )
})
