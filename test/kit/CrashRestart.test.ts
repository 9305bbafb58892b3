/**
 * The testing kit's crash and restart of the embedded engine, and the order's business timestamps on the TestClock.
 * Only `tawsil` and `tawsil/testing` are imported, as a host's test would.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { ApproveRequest, OperatorActions, RejectRequest, type Order } from "tawsil"
import { Script, TawsilTest } from "tawsil/testing"

const testClockMillis = TestClock.testClockWith((clock) => clock.currentTimeMillis)

/** The order's business timestamps, as TestClock millis (undefined when not written). */
const timestamps = (order: Order) => ({
  createdAt: DateTime.toEpochMillis(order.createdAt),
  sentAt: order.dispatch.sentAt === undefined ? undefined : DateTime.toEpochMillis(order.dispatch.sentAt),
  lastCheckedAt:
    order.dispatch.lastCheckedAt === undefined
      ? undefined
      : DateTime.toEpochMillis(order.dispatch.lastCheckedAt),
  completedAt: order.completedAt === undefined ? undefined : DateTime.toEpochMillis(order.completedAt)
})

const callTimes = (calls: ReadonlyArray<{ operation: string; answer: string; atMillis: number }>) =>
  calls.map((call) => `${call.operation} ${call.answer} @${call.atMillis}`)

/** A heartbeat every 3 s and a 10 s lease (the service's defaults): a crashed node's orders change hands quickly. */
const shortLease = TawsilTest.layer({
  dispatch: { heartbeatInterval: Duration.seconds(3), leaseTtl: Duration.seconds(10) }
})

describe("tawsil/testing: an order's timestamps follow the TestClock", () => {
  it.effect("created and sent at 5 s, checked at 15 s and 25 s, completed at 35 s", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({
        script: { check: [Script.pending(), Script.pending(), Script.delivered("4321-8765")] }
      })
      yield* TawsilTest.advance("5 seconds")
      const order = yield* shop.order()
      assert.strictEqual(
        timestamps(order).createdAt,
        5_000,
        "created at the TestClock's time, not the database's"
      )

      yield* TawsilTest.advancePolls(2)
      assert.deepStrictEqual(timestamps(yield* shop.get(order.id)), {
        createdAt: 5_000,
        sentAt: 5_000,
        lastCheckedAt: 25_000,
        completedAt: undefined
      })
      const settled = yield* TawsilTest.awaitSettled(order.id)
      assert.strictEqual(settled.status, "approved")
      assert.deepStrictEqual(timestamps(settled), {
        createdAt: 5_000,
        sentAt: 5_000,
        lastCheckedAt: 25_000,
        completedAt: 35_000
      })
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("a rejection by the provider and an operator's approval are dated by the TestClock too", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({ script: { check: [Script.failed()] } })
      const order = yield* shop.order()
      const rejected = yield* TawsilTest.awaitSettled(order.id)
      assert.strictEqual(rejected.status, "rejected")
      assert.strictEqual(timestamps(rejected).completedAt, 10_000)

      yield* TawsilTest.advance("1 minute")
      const operator = yield* OperatorActions
      const approved = yield* operator.approve(order.id, new ApproveRequest({ note: "delivered by hand" }))
      assert.strictEqual(approved.status, "approved")
      assert.strictEqual(timestamps(approved).completedAt, 70_000)
      const again = yield* Effect.flip(operator.reject(order.id, new RejectRequest({})))
      assert.strictEqual(again._tag, "InvalidTransition")
    }).pipe(Effect.provide(TawsilTest.layer()))
  )
})

describe("tawsil/testing: crash() and restart() of the embedded engine", () => {
  it.effect(
    "an order awaiting its 2nd check: crash at 11 s, taken over at 19 s (last heartbeat 9 s + 10 s lease), checked at 20 s, settled at 30 s, placed once",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({
          script: { check: [Script.pending(), Script.pending(), Script.delivered("1111-2222")] }
        })
        const order = yield* shop.order()
        yield* TawsilTest.advance("11 seconds")
        assert.deepStrictEqual(callTimes(yield* shop.calls(order.id)), [
          "place Accepted @0",
          "check Pending @10000"
        ])

        const dead = yield* TawsilTest.crash
        assert.strictEqual(dead.lastBeatMillis, 9_000, "heartbeats at 0, 3, 6 and 9 s")
        // the dead node checks nothing more, and nothing takes its order while its lease runs
        yield* TawsilTest.advance("5 seconds")
        assert.strictEqual((yield* shop.calls(order.id)).length, 2)
        assert.strictEqual((yield* shop.get(order.id)).dispatch.state, "awaiting")

        const takeover = yield* TawsilTest.restart
        assert.strictEqual(takeover.atMillis, 19_000, "the lease expires 10 s after the last heartbeat")
        assert.strictEqual(yield* testClockMillis, 19_000)
        assert.strictEqual(takeover.previousNodeId, dead.nodeId)
        assert.notStrictEqual(takeover.nodeId, dead.nodeId, "a new node")
        assert.strictEqual(takeover.orders, 1)
        assert.strictEqual(
          (yield* shop.calls(order.id)).length,
          2,
          "no check at the takeover: the next is due at 20 s"
        )

        yield* TawsilTest.advance("11 seconds")
        const settled = yield* shop.get(order.id)
        assert.strictEqual(settled.status, "approved")
        assert.strictEqual(settled.pin, "1111-2222")
        assert.deepStrictEqual(
          callTimes(yield* shop.calls(order.id)),
          ["place Accepted @0", "check Pending @10000", "check Pending @20000", "check Succeeded @30000"],
          "one place; after the takeover, checks one poll interval after the last one"
        )
        assert.deepStrictEqual(timestamps(settled), {
          createdAt: 0,
          sentAt: 0,
          lastCheckedAt: 20_000,
          completedAt: 30_000
        })
        assert.strictEqual(yield* shop.balance, "90.00", "charged once")
      }).pipe(Effect.provide(shortLease))
  )

  it.effect(
    "a crash while the send hangs: the new node checks by reference first and never sends again",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({
          script: { place: [Script.hang], check: [Script.delivered("3333-4444")] }
        })
        const order = yield* shop.order()
        yield* TawsilTest.advance("4 seconds")
        assert.strictEqual((yield* shop.get(order.id)).dispatch.state, "sending")

        const dead = yield* TawsilTest.crash
        assert.strictEqual(dead.lastBeatMillis, 3_000)
        const takeover = yield* TawsilTest.restart
        assert.strictEqual(takeover.atMillis, 13_000)

        const settled = yield* shop.get(order.id)
        assert.strictEqual(settled.status, "approved", "the check at the takeover found it delivered")
        assert.deepStrictEqual(callTimes(yield* shop.calls(order.id)), [
          "place Hang @0",
          "check Succeeded @13000"
        ])
        assert.strictEqual(timestamps(settled).completedAt, 13_000)
      }).pipe(Effect.provide(shortLease))
  )

  it.effect(
    "orders created between the crash and the restart wait for the new node; later ones go to it at once",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({ script: { check: [Script.delivered("5555-6666")] } })
        yield* TawsilTest.crash
        const early = yield* shop.order()
        yield* TawsilTest.advance("1 second")
        assert.deepStrictEqual(yield* shop.calls(early.id), [], "no engine runs")

        const takeover = yield* TawsilTest.restart
        assert.strictEqual(takeover.orders, 1, "written for the dead node, taken over with its lease")
        const late = yield* shop.order()
        assert.strictEqual((yield* TawsilTest.awaitSettled(early.id)).status, "approved")
        assert.strictEqual((yield* TawsilTest.awaitSettled(late.id)).status, "approved")
        assert.deepStrictEqual(callTimes(yield* shop.calls(late.id)), [
          `place Accepted @${takeover.atMillis}`,
          `check Succeeded @${takeover.atMillis + 10_000}`
        ])
      }).pipe(Effect.provide(shortLease))
  )
})
