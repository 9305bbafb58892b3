import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { Route } from "../../src/orders/Package.js"
import { type SimulatorFault, SimulatorProvider } from "../../src/providers/Simulator.js"
import {
  dispatchLogOf,
  engineIdle,
  engineStack,
  eventually,
  ledgerOf,
  orderRow,
  outboxOf,
  quietNode,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"

/** Three configured providers — primary, backup, and `other`, which no route names — and one order. */
const orderWith = (route: Route, primaryFault?: SimulatorFault) =>
  Effect.gen(function* () {
    yield* simulatorProvider("primary")
    yield* simulatorProvider("backup")
    yield* simulatorProvider("other")
    yield* routedPackage("pubg", route)
    if (primaryFault !== undefined) yield* (yield* SimulatorProvider).inject("primary", "place", primaryFault)
    const { client } = yield* resellerWithBalance("100.00")
    const created = yield* client.orders.create({
      payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
      headers: {}
    })
    return { client, created, get: client.orders.get({ params: { id: created.id } }) }
  })

const placesBy = Effect.map(simulatorCalls("place"), (calls) => calls.map((call) => call.providerId))

const fallsBackOn = (fault: "unavailable" | "misconfigured", outcome: string) =>
  Effect.gen(function* () {
    const firstCheck = yield* sleepRegistered(10_000)
    const { created, get } = yield* orderWith({ mode: "auto", primary: "primary", fallback: "backup" }, fault)

    const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
    assert.strictEqual(accepted.dispatch.provider, "backup")
    assert.strictEqual(accepted.status, "pending")
    assert.deepStrictEqual(yield* placesBy, ["primary", "backup"])
    const row = yield* orderRow(created.id)
    assert.strictEqual(row.provider_id, "backup")
    assert.strictEqual(row.fallback_from, "primary", "the hop is recorded on the order")
    assert.deepStrictEqual(
      (yield* dispatchLogOf(created.id)).map((entry) => [entry.action, entry.provider_id, entry.outcome]),
      [
        ["send", "primary", outcome],
        ["send", "backup", "Accepted"]
      ]
    )

    // the fallback's order is the one watched and settled
    yield* firstCheck
    const secondCheck = yield* sleepRegistered(20_000)
    yield* TestClock.adjust("10 seconds")
    yield* secondCheck
    yield* TestClock.adjust("10 seconds")
    const done = yield* eventually(get, (o) => o.status === "approved")
    assert.strictEqual(done.dispatch.provider, "backup")
    yield* engineIdle
    assert.deepStrictEqual(yield* placesBy, ["primary", "backup"], "exactly one placement on the fallback")
    assert.deepStrictEqual(
      (yield* simulatorCalls("check")).map((call) => call.providerId),
      ["backup", "backup"]
    )
    assert.deepStrictEqual(
      yield* simulatorCalls("place", "other"),
      [],
      "a provider off the route is never used"
    )
    assert.deepStrictEqual(yield* simulatorCalls("check", "other"), [])
  })

/** The order went to an operator without any provider call made after it, and its money is held. */
const heldForAnOperator = (orderId: string, balance: Effect.Effect<string, unknown>) =>
  Effect.gen(function* () {
    assert.strictEqual((yield* orderRow(orderId)).dispatch_state, "manual")
    assert.strictEqual((yield* orderRow(orderId)).status, "pending")
    assert.strictEqual(yield* outboxOf(orderId), undefined, "the engine is done with it")
    assert.strictEqual(yield* balance, "65.00")
    assert.deepStrictEqual(
      (yield* ledgerOf(orderId)).map((entry) => entry.kind),
      ["debit"]
    )
    yield* engineIdle
    const calls = (yield* (yield* SimulatorProvider).calls).length
    yield* TestClock.adjust("1 hour")
    yield* engineIdle
    assert.strictEqual(
      (yield* (yield* SimulatorProvider).calls).length,
      calls,
      "nothing polls a manual order"
    )
  })

describe("dispatch: fallback provider and manual routes", () => {
  it.effect("primary unavailable → exactly one placement on the fallback, recorded on the order", () =>
    fallsBackOn("unavailable", "ProviderUnavailable").pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("primary misconfigured → the fallback", () =>
    fallsBackOn("misconfigured", "ProviderMisconfigured").pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("a package routed `manual` → dispatch state manual and no provider call at all", () =>
    Effect.gen(function* () {
      const { client, created, get } = yield* orderWith({
        mode: "manual",
        primary: "primary",
        fallback: "backup"
      })
      const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
      assert.strictEqual(manual.status, "pending")
      assert.strictEqual(manual.dispatch.attempts, 0)
      assert.deepStrictEqual(yield* placesBy, [])
      yield* heldForAnOperator(
        created.id,
        Effect.map(client.orders.account(), (account) => account.balance)
      )
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("fallback disabled: primary unavailable → manual, the fallback untouched", () =>
    Effect.gen(function* () {
      const { client, created, get } = yield* orderWith(
        { mode: "auto", primary: "primary", fallback: "backup" },
        "unavailable"
      )
      const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
      assert.strictEqual(manual.status, "pending")
      assert.strictEqual(manual.dispatch.provider, "primary")
      assert.deepStrictEqual(yield* placesBy, ["primary"])
      assert.strictEqual((yield* orderRow(created.id)).fallback_from, null)
      yield* heldForAnOperator(
        created.id,
        Effect.map(client.orders.account(), (account) => account.balance)
      )
    }).pipe(Effect.provide(engineStack({ ...quietNode, fallbackEnabled: false })))
  )
})
