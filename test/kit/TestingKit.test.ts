/**
 * The testing kit, as a user of Tawsil would use it: only `tawsil` and `tawsil/testing` are imported.
 *
 * `TawsilTest.layer()` runs the whole of Tawsil (order intake, the dispatch engine, settlement) inside the test, on
 * a fresh database, with the `scripted` provider kind. The engine's 10-second polling runs on the TestClock:
 * `TawsilTest.advancePolls(n)` moves it n intervals, waiting each time until the engine's fibers are asleep and
 * their database writes have landed, so a poll is never skipped or moved. Minutes of engine time take milliseconds.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { ProviderConfigs } from "tawsil"
import { Script, TawsilTest } from "tawsil/testing"

// real time, to show that polling does not wait for it
const realMillis = Clock.Clock.defaultValue().currentTimeMillis
// the test's TestClock time
const testClockMillis = TestClock.testClockWith((clock) => clock.currentTimeMillis)

describe("tawsil/testing: 10-second polling on the TestClock", () => {
  it.effect("accepted, then pending twice, then succeeded: approved after three polls, with the PIN", () =>
    Effect.gen(function* () {
      const startedAt = yield* realMillis
      const shop = yield* TawsilTest.shop({
        script: {
          place: [Script.accepted()],
          check: [Script.pending(), Script.pending(), Script.succeeded("1234-5678")]
        }
      })

      const order = yield* shop.order()
      assert.strictEqual(order.status, "pending", "creation answers at once")
      assert.strictEqual(yield* shop.balance, "90.00", "and charges the reseller")

      yield* TawsilTest.advancePolls(2)
      assert.strictEqual(
        (yield* shop.get(order.id)).status,
        "pending",
        "two polls: the provider still works on it"
      )

      yield* TawsilTest.advancePolls(1)
      const settled = yield* shop.get(order.id)
      assert.strictEqual(settled.status, "approved")
      assert.strictEqual(settled.dispatch.state, "done")
      assert.strictEqual(settled.pin, "1234-5678")

      const calls = yield* shop.calls(order.id)
      assert.deepStrictEqual(
        calls.map((call) => `${call.operation} ${call.answer} @${call.atMillis - calls[0]!.atMillis}ms`),
        [
          "place Accepted @0ms",
          "check Pending @10000ms",
          "check Pending @20000ms",
          "check Succeeded @30000ms"
        ],
        "one check every 10 s of TestClock time, the first one interval after the send"
      )
      assert.strictEqual(yield* shop.balance, "90.00", "approval moves no money")
      const providers = yield* Effect.flatMap(ProviderConfigs, (configs) => configs.list)
      assert.isTrue(
        providers.some((provider) => provider.kind === "scripted"),
        "a provider of a kind the host added is listed like the built-in ones"
      )

      const elapsed = (yield* realMillis) - startedAt
      yield* Effect.sync(() =>
        console.info(`30 s of engine time took ${elapsed} ms of real time (database included)`)
      )
      assert.isBelow(elapsed, 5000, "TestClock time, not real sleeps")
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("the provider cancels: rejected and refunded once", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({
        script: { check: [Script.pending(), Script.failed("تم الإلغاء من المزود")] }
      })
      const order = yield* shop.order()
      assert.strictEqual(yield* shop.balance, "90.00")

      yield* TawsilTest.advancePolls(2)
      const settled = yield* shop.get(order.id)
      assert.strictEqual(settled.status, "rejected")
      assert.strictEqual(settled.dispatch.state, "failed")
      assert.strictEqual(yield* shop.balance, "100.00", "the exact price is refunded")

      yield* TawsilTest.advancePolls(3)
      assert.strictEqual((yield* shop.calls(order.id)).length, 3, "a settled order is not polled again")
      assert.strictEqual(yield* shop.balance, "100.00", "and refunded only once")
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("two transient send failures are retried after 1 s and 2 s, same reference, then approved", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({
        script: {
          place: [Script.transient(), Script.transient(), Script.accepted()],
          check: [Script.succeeded("9999-0000")]
        }
      })
      const order = yield* shop.order()

      // one advance through both retry delays: the kit stops at each wake-up on the way
      yield* TawsilTest.advance("3 seconds")
      const accepted = yield* shop.get(order.id)
      assert.strictEqual(accepted.dispatch.state, "awaiting")
      assert.strictEqual(accepted.dispatch.attempts, 3)

      yield* TawsilTest.advancePolls(1)
      assert.strictEqual((yield* shop.get(order.id)).status, "approved")
      const calls = yield* shop.calls(order.id)
      assert.deepStrictEqual(
        calls.map((call) => `${call.operation} ${call.answer} @${call.atMillis - calls[0]!.atMillis}ms`),
        [
          "place ProviderTransient @0ms",
          "place ProviderTransient @1000ms",
          "place Accepted @3000ms",
          "check Succeeded @13000ms"
        ]
      )
      assert.strictEqual(new Set(calls.map((call) => call.reference)).size, 1, "one reference, for ever")
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("the provider refuses the order at once: rejected and refunded without any poll", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({ script: { place: [Script.rejected("invalid player id")] } })
      const order = yield* shop.order({ playerId: "not-a-player" })
      yield* TawsilTest.settled
      const settled = yield* shop.get(order.id)
      assert.strictEqual(settled.status, "rejected")
      assert.strictEqual(yield* shop.balance, "100.00")
      assert.deepStrictEqual(
        (yield* shop.calls(order.id)).map((call) => call.answer),
        ["ProviderRejected"]
      )
    }).pipe(Effect.provide(TawsilTest.layer()))
  )
})

describe("tawsil/testing: awaitSettled moves the TestClock by itself", () => {
  it.effect("pending, pending, delivered: settled after exactly 30 s of TestClock time, with the PIN", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({
        script: { check: [Script.pending(), Script.pending(), Script.delivered("4321-8765")] }
      })
      const before = yield* testClockMillis
      const order = yield* shop.order()
      const settled = yield* TawsilTest.awaitSettled(order.id)
      assert.strictEqual((yield* testClockMillis) - before, 30_000)
      assert.strictEqual(settled.status, "approved")
      assert.strictEqual(settled.pin, "4321-8765")
      assert.deepStrictEqual(
        (yield* shop.calls(order.id)).map((call) => call.answer),
        ["Accepted", "Pending", "Pending", "Succeeded"]
      )
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("delivered in the send itself: settled without moving the clock", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({ script: { place: [Script.delivered("1111-2222")] } })
      const before = yield* testClockMillis
      const settled = yield* TawsilTest.awaitSettled((yield* shop.order()).id)
      assert.strictEqual((yield* testClockMillis) - before, 0)
      assert.strictEqual(settled.pin, "1111-2222")
    }).pipe(Effect.provide(TawsilTest.layer()))
  )

  it.effect("past the poll deadline the order goes to manual: OrderNeedsOperator", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({ script: { check: [Script.pending()] } })
      const order = yield* shop.order()
      const error = yield* Effect.flip(TawsilTest.awaitSettled(order.id))
      assert.strictEqual(error._tag, "OrderNeedsOperator")
      assert.strictEqual(error.orderId, order.id)
      assert.strictEqual((yield* shop.get(order.id)).dispatch.state, "manual")
    }).pipe(Effect.provide(TawsilTest.layer({ dispatch: { pollDeadline: Duration.minutes(1) } })))
  )

  it.effect(
    "hours of polling are walked check by check, not second by second (the engine's own loops wake every second)",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({ script: { check: [Script.pending()] } })
        const order = yield* shop.order()
        const before = yield* testClockMillis
        const error = yield* Effect.flip(TawsilTest.awaitSettled(order.id))
        assert.strictEqual(error._tag, "OrderNeedsOperator")
        // the deadline passes at the first check after 3 h of TestClock time: 1,080 checks 10 s apart, where a walk
        // from one wake-up to the next of any fiber would stop 10,800 times (the bound is 10,000)
        assert.isAtLeast((yield* testClockMillis) - before, 3 * 3_600_000)
        assert.isBelow((yield* testClockMillis) - before, 3 * 3_600_000 + 20_000)
      }).pipe(Effect.provide(TawsilTest.layer({ dispatch: { pollDeadline: Duration.hours(3) } }))),
    120_000
  )

  it.effect("a bound of virtual time or of wake-ups: OrderNotSettled, not an endless loop", () =>
    Effect.gen(function* () {
      const shop = yield* TawsilTest.shop({ script: { check: [Script.pending()] } })
      const order = yield* shop.order()
      const before = yield* testClockMillis
      const byTime = yield* Effect.flip(TawsilTest.awaitSettled(order.id, { within: "1 minute" }))
      assert.strictEqual(byTime._tag, "OrderNotSettled")
      assert.strictEqual(byTime._tag === "OrderNotSettled" && byTime.reason, "virtual time")
      assert.isAtMost((yield* testClockMillis) - before, 60_000)
      const byWakeUps = yield* Effect.flip(TawsilTest.awaitSettled(order.id, { maxWakeUps: 3 }))
      assert.strictEqual(byWakeUps._tag === "OrderNotSettled" && byWakeUps.reason, "wake-ups")
      assert.strictEqual(byWakeUps._tag === "OrderNotSettled" && byWakeUps.wakeUps, 3)
    }).pipe(Effect.provide(TawsilTest.layer()))
  )
})
