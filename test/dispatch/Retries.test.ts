import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import {
  engineIdle,
  engineStack,
  eventually,
  ledgerOf,
  orderRow,
  quietNode,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"

const order = Effect.gen(function* () {
  const { client } = yield* resellerWithBalance("100.00")
  const created = yield* client.orders.create({
    payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
    headers: {}
  })
  return { client, created, get: client.orders.get({ params: { id: created.id } }) }
})

describe("dispatch: transient send failures are retried with exponential backoff, on TestClock", () => {
  it.effect("3 transients, base 1 s, no jitter → places at +0, +1 s, +3 s, +7 s; the 4th is accepted", () =>
    Effect.gen(function* () {
      yield* simulatorProvider("sim")
      yield* routedPackage("pubg", { mode: "auto", primary: "sim" })
      const simulator = yield* SimulatorProvider
      yield* simulator.inject("sim", "place", "transient", "transient", "transient")

      const firstRetry = yield* sleepRegistered(1000)
      const { created, get } = yield* order
      yield* firstRetry
      const secondRetry = yield* sleepRegistered(3000)
      yield* TestClock.adjust("1 second")
      yield* secondRetry
      const thirdRetry = yield* sleepRegistered(7000)
      yield* TestClock.adjust("2 seconds")
      yield* thirdRetry
      assert.strictEqual((yield* simulatorCalls("place")).length, 3, "no retry before its delay has passed")
      const firstCheck = yield* sleepRegistered(17_000)
      yield* TestClock.adjust("4 seconds")

      const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      assert.strictEqual(accepted.status, "pending")
      assert.strictEqual(accepted.dispatch.attempts, 4, "each answered send is one attempt")
      const places = yield* simulatorCalls("place")
      assert.deepStrictEqual(
        places.slice(1).map((call, i) => call.atMillis - places[i]!.atMillis),
        [1000, 2000, 4000]
      )
      assert.deepStrictEqual(
        places.map((call) => call.reference),
        Array.from({ length: 4 }, () => created.dispatch.reference),
        "every retry carries the order's one reference"
      )

      yield* firstCheck
      const secondCheck = yield* sleepRegistered(27_000)
      yield* TestClock.adjust("10 seconds")
      yield* secondCheck
      yield* TestClock.adjust("10 seconds")
      const done = yield* eventually(get, (o) => o.status === "approved")
      assert.strictEqual(done.dispatch.state, "done")
      yield* engineIdle
      assert.strictEqual((yield* simulatorCalls("place")).length, 4, "no extra place after the accepted one")
    }).pipe(Effect.provide(engineStack({ ...quietNode, retryBase: Duration.seconds(1), retryAttempts: 5 })))
  )

  it.effect(
    "retries exhausted (2 retries, 3 transients) and no fallback → 3 places, manual, money held",
    () =>
      Effect.gen(function* () {
        yield* simulatorProvider("sim")
        yield* routedPackage("pubg", { mode: "auto", primary: "sim" })
        const simulator = yield* SimulatorProvider
        yield* simulator.inject("sim", "place", "transient", "transient", "transient")

        const firstRetry = yield* sleepRegistered(1000)
        const { client, created, get } = yield* order
        yield* firstRetry
        const secondRetry = yield* sleepRegistered(3000)
        yield* TestClock.adjust("1 second")
        yield* secondRetry
        yield* TestClock.adjust("2 seconds")

        const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
        assert.strictEqual(manual.status, "pending")
        assert.strictEqual(manual.dispatch.attempts, 3)
        yield* engineIdle
        yield* TestClock.adjust("1 minute")
        yield* engineIdle
        const places = yield* simulatorCalls("place")
        assert.deepStrictEqual(
          places.map((call) => call.atMillis),
          [0, 1000, 3000]
        )
        assert.strictEqual((yield* simulatorCalls("check")).length, 0)
        assert.strictEqual((yield* client.orders.account()).balance, "65.00", "the debit stays: money held")
        assert.deepStrictEqual(
          (yield* ledgerOf(created.id)).map((entry) => entry.kind),
          ["debit"],
          "nothing refunded"
        )
        assert.strictEqual((yield* orderRow(created.id)).dispatch_state, "manual")
      }).pipe(Effect.provide(engineStack({ ...quietNode, retryBase: Duration.seconds(1), retryAttempts: 2 })))
  )

  it.effect("retries exhausted with a fallback configured → exactly one place on the fallback", () =>
    Effect.gen(function* () {
      yield* simulatorProvider("sim")
      yield* simulatorProvider("backup")
      yield* routedPackage("pubg", { mode: "auto", primary: "sim", fallback: "backup" })
      const simulator = yield* SimulatorProvider
      yield* simulator.inject("sim", "place", "transient", "transient", "transient")

      const firstRetry = yield* sleepRegistered(1000)
      const { created, get } = yield* order
      yield* firstRetry
      const secondRetry = yield* sleepRegistered(3000)
      yield* TestClock.adjust("1 second")
      yield* secondRetry
      yield* TestClock.adjust("2 seconds")

      const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      assert.strictEqual(accepted.dispatch.provider, "backup")
      assert.strictEqual((yield* simulatorCalls("place", "sim")).length, 3)
      const onFallback = yield* simulatorCalls("place", "backup")
      assert.deepStrictEqual(
        onFallback.map((call) => [call.reference, call.atMillis]),
        [[created.dispatch.reference, 3000]]
      )
      const row = yield* orderRow(created.id)
      assert.strictEqual(row.fallback_from, "sim")
      assert.strictEqual(row.provider_id, "backup")
    }).pipe(Effect.provide(engineStack({ ...quietNode, retryBase: Duration.seconds(1), retryAttempts: 2 })))
  )
})
