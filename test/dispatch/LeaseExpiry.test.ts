import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import {
  engineIdle,
  engineStack,
  eventually,
  orderRow,
  outboxOf,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"
import { stepClockUntil } from "../support/WireEngine.js"

/**
 * A node whose heartbeat beats once at start (t = 0) and next only after an hour, with a 25 s lease: from 25 s on
 * its heartbeat is older than its lease, as for a process whose heartbeat fiber is stuck or whose heartbeats
 * cannot reach the database. Other nodes may have taken its orders: it must not call a provider.
 */
const staleAfter25s = engineStack({ heartbeatInterval: Duration.hours(1), leaseTtl: Duration.seconds(25) })

const setup = Effect.gen(function* () {
  yield* simulatorProvider("sim", { checksBeforeFinal: 1000 })
  yield* routedPackage("pubg", { mode: "auto", primary: "sim" }, "10.00")
  const { client } = yield* resellerWithBalance("100.00")
  return client.orders.create({
    payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
    headers: {}
  })
})

const checkTimes = Effect.map(simulatorCalls("check"), (calls) => calls.map((call) => call.atMillis))

describe("dispatch: a node past its lease calls no provider (TestClock, 25 s lease)", () => {
  it.effect(
    "status checks stop once the heartbeat is older than the lease, and resume after a fresh heartbeat re-adopts the order",
    () =>
      Effect.gen(function* () {
        const create = yield* setup
        let nextCheck = yield* sleepRegistered(10_000)
        const order = yield* create
        for (let at = 10_000; at <= 50_000; at += 10_000) {
          yield* nextCheck
          nextCheck = yield* sleepRegistered(at + 10_000)
          yield* TestClock.adjust("10 seconds")
        }
        yield* nextCheck
        assert.deepStrictEqual(
          yield* checkTimes,
          [10_000, 20_000],
          "checked while the heartbeat (t = 0) was younger than 25 s, never after"
        )
        const row = yield* orderRow(order.id)
        assert.strictEqual(row.status, "pending")
        assert.strictEqual(row.dispatch_state, "awaiting")
        assert.strictEqual((yield* simulatorCalls("place")).length, 1)

        // the heartbeat due at 1 h finds the gap: the order's fiber is stopped, the order re-adopted (new fence)
        // and restarted, and it checks the provider again while that heartbeat is younger than the lease
        const heartbeatAt = Duration.toMillis(Duration.hours(1))
        yield* TestClock.setTime(heartbeatAt)
        const dispatcher = yield* Dispatcher
        yield* eventually(outboxOf(order.id), (r) => r?.fence === "2", "the order re-adopted under fence 2")
        yield* eventually(dispatcher.inFlight, (n) => n === 1, "the order's fiber restarted")
        yield* stepClockUntil(
          Effect.map(checkTimes, (times) => times.length === 3),
          { within: 10_000 }
        )
        const checks = yield* checkTimes
        assert.strictEqual(checks.length, 3, "the provider is checked again")
        // last checked at 20 s by the engine's Clock: overdue at the takeover, so checked at once (not before)
        assert.isAtLeast(checks[2]!, heartbeatAt, "after the fresh heartbeat")
      }).pipe(Effect.provide(staleAfter25s))
  )

  it.effect("an order created after the node's lease ran out is not sent", () =>
    Effect.gen(function* () {
      const create = yield* setup
      yield* TestClock.adjust("30 seconds")
      const order = yield* create
      // the send is refused before it reaches the provider, as a transient failure (an attempt in the log)
      yield* eventually(orderRow(order.id), (row) => row.attempts >= 1, "the refused send attempt recorded")
      assert.deepStrictEqual(yield* simulatorCalls("place"), [])

      // every retry is refused too, until the retries run out
      const dispatcher = yield* Dispatcher
      const sent = Effect.map(simulatorCalls("place"), (calls) => calls.length > 0)
      yield* stepClockUntil(
        Effect.map(Effect.all([dispatcher.inFlight, sent]), ([inFlight, sent]) => inFlight === 0 || sent),
        { within: 60_000 }
      )
      yield* engineIdle
      assert.deepStrictEqual(yield* simulatorCalls("place"), [], "no send from a node past its lease")
      assert.deepStrictEqual(yield* simulatorCalls("check"), [])
      assert.strictEqual((yield* orderRow(order.id)).status, "pending", "nothing settled, the money held")
    }).pipe(Effect.provide(staleAfter25s))
  )
})
