import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Result } from "effect"
import { SqlClient } from "effect/sql"
import type { Lease } from "../../src/orders/Lease.js"
import type { LogEntry } from "../../src/orders/LogEntry.js"
import { OrderStore } from "../../src/orders/OrderStore.js"
import { Outbox } from "../../src/dispatch/Outbox.js"
import { dispatchLogOf, ledgerOf, orderRow, outboxOf } from "../support/TestEngine.js"
import { resellerWithBalance, simulatorPackageViaApi, TestServerLive } from "../support/TestServer.js"

const log: LogEntry = { providerId: "sim", action: "check", response: "stale", outcome: "Stale" }

/** Every engine write, made with `lease`. */
const writes = (store: OrderStore["Service"], lease: Lease) =>
  [
    ["markSending", store.markSending(lease, "sim", undefined)],
    ["markAwaiting", store.markAwaiting(lease, { message: "stale accepted" }, log)],
    ["recordCheck", store.recordCheck(lease, "stale check", log)],
    ["failedAttempt", store.failedAttempt(lease, "processing", log)],
    ["note", store.note(lease, "stale note")],
    ["markManual", store.markManual(lease, "stale manual")],
    ["approve", store.approve(lease, { pin: "STALE-PIN", message: "stale approval" }, log)],
    ["reject", store.reject(lease, "stale rejection", log)]
  ] as const

const outboxCount = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ count: string }>`select count(*)::text as count from tawsil.outbox`.pipe(
    Effect.map((rows) => Number(rows[0]?.count)),
    Effect.orDie
  )
)

describe("dispatch: every engine write is fenced", () => {
  it.layer(Layer.mergeAll(OrderStore.layer, Outbox.layer).pipe(Layer.provideMerge(TestServerLive)))((it) => {
    it.effect(
      "a lease of the same node with an older fence (re-adopted meanwhile) is refused by every write, and changes nothing",
      () =>
        Effect.gen(function* () {
          yield* simulatorPackageViaApi("pubg", "10.00")
          const { client } = yield* resellerWithBalance("100.00")
          const order = yield* client.orders.create({
            payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
            headers: {}
          })
          const store = yield* OrderStore
          const outbox = yield* Outbox
          const [stale] = yield* outbox.claim("node-a", Duration.days(1), 10)
          assert.isDefined(stale)
          // the same node re-adopts its orders after a heartbeat gap: the lease it held before is void
          const [current] = yield* outbox.readopt("node-a")
          assert.isDefined(current)
          assert.deepStrictEqual(current, { ...stale, fence: stale.fence + 1 })
          const before = yield* orderRow(order.id)

          for (const [step, write] of writes(store, stale)) {
            const result = yield* Effect.result(write)
            assert.isTrue(Result.isFailure(result), `${step} with a stale fence is refused`)
            if (Result.isFailure(result)) assert.deepStrictEqual(result.failure.step, step)
          }
          yield* store.complete(stale)

          assert.deepStrictEqual(yield* orderRow(order.id), before, "the order is untouched")
          assert.deepStrictEqual(yield* dispatchLogOf(order.id), [])
          assert.deepStrictEqual(
            (yield* ledgerOf(order.id)).map((entry) => entry.kind),
            ["debit"]
          )
          assert.strictEqual((yield* client.orders.account()).balance, "90.00", "no refund")
          assert.deepStrictEqual(yield* outboxOf(order.id), {
            owner_node: "node-a",
            fence: String(current.fence)
          })
          assert.strictEqual(yield* outboxCount, 1)

          // the current lease still works: the refusals above are the fence's doing
          yield* store.markSending(current, "sim", undefined)
          assert.strictEqual((yield* orderRow(order.id)).dispatch_state, "sending")
          yield* store.approve(current, { pin: "PIN-1", message: "delivered" }, log)
          assert.strictEqual((yield* orderRow(order.id)).status, "approved")
          assert.strictEqual(yield* outboxOf(order.id), undefined)
        })
    )
  })
})
