import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Duration, Effect, Exit, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { TestDatabase } from "../support/TestDatabase.js"
import {
  dispatchLogOf,
  engineIdle,
  engineOn,
  engineStack,
  eventually,
  orderRow,
  quietNode,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"

const order = Effect.gen(function* () {
  yield* simulatorProvider("sim")
  yield* routedPackage("pubg", { mode: "auto", primary: "sim" })
  const { client } = yield* resellerWithBalance("100.00")
  const created = yield* client.orders.create({
    payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
    headers: {}
  })
  const reference = created.dispatch.reference
  assert.isDefined(reference, "the reference is chosen at creation")
  return { created, reference, get: client.orders.get({ params: { id: created.id } }) }
})

/** The simulator's calls as `operation@millis`, in order, all of which must carry `reference`. */
const timeline = (reference: string) =>
  Effect.flatMap(SimulatorProvider, (simulator) =>
    Effect.map(simulator.calls, (calls) => {
      assert.deepStrictEqual(
        calls.filter((call) => call.reference !== reference),
        [],
        "every call carries the order's one reference"
      )
      return calls.map((call) => `${call.operation}@${call.atMillis}`)
    })
  )

describe("dispatch: an ambiguous send is checked by reference before any re-send, on TestClock", () => {
  it.effect(
    "a hung send: ambiguous after the send timeout, still `sending`; checks find nothing, but the re-send (same reference) waits until 60 s after the attempt started → approved",
    () =>
      Effect.gen(function* () {
        const simulator = yield* SimulatorProvider
        const sendTimeout = yield* sleepRegistered(30_000)
        yield* simulator.inject("sim", "place", "hang")
        const { created, reference, get } = yield* order
        yield* eventually(simulatorCalls("place"), (calls) => calls.length === 1)
        yield* sendTimeout

        const firstCheck = yield* sleepRegistered(40_000)
        yield* TestClock.adjust("30 seconds")
        const ambiguous = yield* eventually(get, (o) => o.dispatch.attempts === 1)
        assert.strictEqual(
          ambiguous.dispatch.state,
          "sending",
          "a timed-out send is not known to have failed"
        )
        assert.strictEqual(ambiguous.status, "pending")
        yield* firstCheck
        assert.deepStrictEqual(yield* timeline(reference), ["place@0"], "no blind re-send")

        // 40 s and 50 s: "never seen", but the hung request could still land: no re-send yet
        for (const at of [40_000, 50_000]) {
          const next = yield* sleepRegistered(at + 10_000)
          yield* TestClock.adjust("10 seconds")
          yield* next
          const waiting = yield* get
          assert.strictEqual(
            waiting.dispatch.state,
            "sending",
            `still unresolved after the check at ${at} ms`
          )
          assert.strictEqual(waiting.dispatch.attempts, 1)
        }
        assert.deepStrictEqual(yield* timeline(reference), ["place@0", "check@40000", "check@50000"])

        const checkAfterResend = yield* sleepRegistered(70_000)
        yield* TestClock.adjust("10 seconds")
        const resent = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(resent.dispatch.attempts, 2)
        assert.deepStrictEqual(yield* timeline(reference), [
          "place@0",
          "check@40000",
          "check@50000",
          "check@60000",
          "place@60000"
        ])

        yield* checkAfterResend
        const settlingCheck = yield* sleepRegistered(80_000)
        yield* TestClock.adjust("10 seconds")
        yield* settlingCheck
        yield* TestClock.adjust("10 seconds")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.state, "done")
        assert.strictEqual(done.pin, `PIN-${reference}`)
        yield* engineIdle
        assert.deepStrictEqual(yield* timeline(reference), [
          "place@0",
          "check@40000",
          "check@50000",
          "check@60000",
          "place@60000",
          "check@70000",
          "check@80000"
        ])
        assert.deepStrictEqual(
          (yield* dispatchLogOf(created.id)).map((entry) => `${entry.action}:${entry.outcome}`),
          ["send:ProviderAmbiguous", "check:NotFound", "send:Accepted", "check:Pending", "check:Succeeded"]
        )
      }).pipe(Effect.provide(engineStack({ ...quietNode, sendTimeout: Duration.seconds(30) })))
  )

  it.effect(
    'a request still in transit when the connection reset lands 25 s later: the early "never seen" answers are not trusted, no second placement',
    () =>
      Effect.gen(function* () {
        const simulator = yield* SimulatorProvider
        yield* simulator.inject("sim", "place", "arrivesLate")
        const firstCheck = yield* sleepRegistered(10_000)
        const { reference, get } = yield* order
        yield* firstCheck
        for (const at of [10_000, 20_000]) {
          const next = yield* sleepRegistered(at + 10_000)
          yield* TestClock.adjust("10 seconds")
          yield* next
        }
        assert.deepStrictEqual(yield* timeline(reference), ["place@0", "check@10000", "check@20000"])
        assert.strictEqual((yield* get).dispatch.state, "sending", "not found yet, still unresolved")

        const settlingCheck = yield* sleepRegistered(40_000)
        yield* TestClock.adjust("10 seconds")
        const found = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(found.dispatch.attempts, 1, "found at the provider: no re-send")
        yield* settlingCheck
        yield* TestClock.adjust("10 seconds")
        yield* eventually(get, (o) => o.status === "approved")
        yield* engineIdle
        assert.deepStrictEqual(yield* timeline(reference), [
          "place@0",
          "check@10000",
          "check@20000",
          "check@30000",
          "check@40000"
        ])
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "ambiguous after the provider accepted: the check finds it pending → `awaiting` with no re-send → approved",
    () =>
      Effect.gen(function* () {
        const simulator = yield* SimulatorProvider
        yield* simulator.inject("sim", "place", "ambiguousAfterAccept")
        const firstCheck = yield* sleepRegistered(10_000)
        const { reference, get } = yield* order
        yield* firstCheck
        const sending = yield* eventually(get, (o) => o.dispatch.attempts === 1)
        assert.strictEqual(sending.dispatch.state, "sending")

        const secondCheck = yield* sleepRegistered(20_000)
        yield* TestClock.adjust("10 seconds")
        const found = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(found.status, "pending")
        assert.deepStrictEqual(yield* timeline(reference), ["place@0", "check@10000"])

        yield* secondCheck
        yield* TestClock.adjust("10 seconds")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.attempts, 1)
        yield* engineIdle
        assert.deepStrictEqual(yield* timeline(reference), ["place@0", "check@10000", "check@20000"])
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "ambiguous before the provider accepted (quiet period 20 s): nothing at 10 s → wait; nothing at 20 s → exactly one re-send with the same reference",
    () =>
      Effect.gen(function* () {
        const simulator = yield* SimulatorProvider
        yield* simulator.inject("sim", "place", "ambiguousBeforeAccept")
        const firstCheck = yield* sleepRegistered(10_000)
        const { reference, get } = yield* order
        yield* firstCheck

        const secondCheck = yield* sleepRegistered(20_000)
        yield* TestClock.adjust("10 seconds")
        yield* secondCheck
        assert.deepStrictEqual(yield* timeline(reference), ["place@0", "check@10000"])

        const checkAfterResend = yield* sleepRegistered(30_000)
        yield* TestClock.adjust("10 seconds")
        const resent = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(resent.dispatch.attempts, 2)
        assert.deepStrictEqual(yield* timeline(reference), [
          "place@0",
          "check@10000",
          "check@20000",
          "place@20000"
        ])

        yield* checkAfterResend
        const settlingCheck = yield* sleepRegistered(40_000)
        yield* TestClock.adjust("10 seconds")
        yield* settlingCheck
        yield* TestClock.adjust("10 seconds")
        yield* eventually(get, (o) => o.status === "approved")
        yield* engineIdle
        assert.deepStrictEqual(yield* timeline(reference), [
          "place@0",
          "check@10000",
          "check@20000",
          "place@20000",
          "check@30000",
          "check@40000"
        ])
      }).pipe(Effect.provide(engineStack({ ...quietNode, resendQuietPeriod: Duration.seconds(20) })))
  )
})

describe("dispatch: a `sending` order found after a restart", () => {
  it.effect(
    "is checked at once, and the resend quiet period counts from the resume: the previous owner's request may still be in transit",
    () =>
      Effect.acquireUseRelease(
        Scope.make(),
        (node1) =>
          Effect.gen(function* () {
            const context = yield* Layer.buildWithScope(engineOn(quietNode), node1)
            const { id, reference } = yield* Effect.provide(
              Effect.gen(function* () {
                yield* simulatorProvider("slow", { sendLatencyMs: 5000 })
                yield* routedPackage("slow-pkg", { mode: "auto", primary: "slow" })
                const { client } = yield* resellerWithBalance("100.00")
                const inFlight = yield* sleepRegistered(5000)
                const created = yield* client.orders.create({
                  payload: { packageId: "slow-pkg", playerId: "5551234", quantity: 1 },
                  headers: {}
                })
                yield* inFlight
                return { id: created.id, reference: created.dispatch.reference! }
              }),
              context
            )
            yield* Scope.close(node1, Exit.void)
            assert.strictEqual((yield* orderRow(id)).dispatch_state, "sending", "the send was cut off")

            // the new owner comes up 30 s after the cut-off send: longer ago than the quiet period, which still
            // counts from the resume (when that send was really made is unknown)
            yield* TestClock.adjust("30 seconds")
            const resumedAt = yield* Clock.currentTimeMillis
            let next = yield* sleepRegistered(resumedAt + 10_000)
            const node2 = yield* Layer.build(
              engineOn({ ...quietNode, resendQuietPeriod: Duration.seconds(20) })
            )
            const simulator = Context.get(node2, SimulatorProvider)
            const calls = Effect.map(simulator.calls, (all) =>
              all
                .filter((call) => call.reference === reference)
                .map((call) => `${call.operation}@${call.atMillis - resumedAt}`)
            )
            yield* next
            assert.deepStrictEqual(yield* calls, ["check@0"], "checked at once, not re-sent")
            next = yield* sleepRegistered(resumedAt + 20_000)
            yield* TestClock.adjust("10 seconds")
            yield* next
            assert.deepStrictEqual(yield* calls, ["check@0", "check@10000"], "still inside the quiet period")
            yield* TestClock.adjust("10 seconds")
            yield* eventually(calls, (ops) => ops.length === 4)
            assert.deepStrictEqual(yield* calls, ["check@0", "check@10000", "check@20000", "place@20000"])
          }).pipe(Effect.provide(TestDatabase)),
        (node1) => Scope.close(node1, Exit.void)
      )
  )
})
