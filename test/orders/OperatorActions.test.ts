import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import {
  dispatchLogOf,
  engineIdle,
  engineStack,
  eventually,
  ledgerOf,
  outboxOf,
  quietNode,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"

const reseller = (packageId: string) =>
  Effect.gen(function* () {
    const { client } = yield* resellerWithBalance("100.00")
    const create = Effect.map(
      client.orders.create({ payload: { packageId, playerId: "5551234", quantity: 1 }, headers: {} }),
      (created) => ({ created, get: client.orders.get({ params: { id: created.id } }) })
    )
    const balance = Effect.map(client.orders.account(), (account) => account.balance)
    return { create, balance }
  })

const ledgerKinds = (orderId: string) =>
  Effect.map(ledgerOf(orderId), (entries) => entries.map((entry) => `${entry.kind} ${entry.amount}`))

describe("operator actions with the engine running, on TestClock", () => {
  it.effect("re-dispatch of a manual order to another provider: placed once there, settles normally", () =>
    Effect.gen(function* () {
      const admin = yield* adminClient
      const simulator = yield* SimulatorProvider
      yield* simulatorProvider("sim-a")
      yield* simulatorProvider("sim-b", { checksBeforeFinal: 0 })
      yield* routedPackage("by-hand", { mode: "manual", primary: "sim-a" })
      const { create, balance } = yield* reseller("by-hand")
      const { created, get } = yield* create

      const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
      assert.strictEqual(manual.status, "pending", "money held for an operator")
      yield* engineIdle
      assert.strictEqual((yield* simulator.calls).length, 0, "a manual route is never sent automatically")

      const firstCheck = yield* sleepRegistered(10_000)
      const requeued = yield* admin.admin.dispatch({
        params: { id: created.id },
        payload: { providerId: "sim-b" }
      })
      assert.strictEqual(requeued.status, "pending")
      assert.strictEqual(requeued.dispatch.state, "queued")
      assert.strictEqual(requeued.dispatch.reference, created.dispatch.reference)

      const awaiting = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      assert.strictEqual(awaiting.dispatch.provider, "sim-b")
      const places = yield* simulatorCalls("place")
      assert.deepStrictEqual(
        places.map((c) => [c.providerId, c.reference]),
        [["sim-b", created.dispatch.reference]]
      )
      const again = yield* admin.admin
        .dispatch({ params: { id: created.id }, payload: { providerId: "sim-b" } })
        .pipe(Effect.flip)
      assert.strictEqual(
        again._tag,
        "InvalidTransition",
        "a second dispatch while it is in flight is refused"
      )

      yield* firstCheck
      yield* TestClock.adjust("10 seconds")
      const done = yield* eventually(get, (o) => o.status === "approved")
      assert.strictEqual(done.dispatch.state, "done")
      assert.strictEqual(done.pin, `PIN-${created.dispatch.reference}`)
      yield* engineIdle
      assert.strictEqual((yield* simulatorCalls("place")).length, 1, "placed exactly once")
      assert.strictEqual((yield* simulatorCalls("check")).length, 1)
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00"], "one charge, nothing else")
      assert.strictEqual(yield* balance, "65.00")
      assert.strictEqual(yield* outboxOf(created.id), undefined)
      const log = yield* dispatchLogOf(created.id)
      assert.deepStrictEqual(
        log.map((e) => [e.action, e.provider_id, e.outcome]),
        [
          ["operator:dispatch", "sim-b", "requeued"],
          ["send", "sim-b", "Accepted"],
          ["check", "sim-b", "Succeeded"]
        ]
      )
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("an operator reject racing the engine's own settlement: exactly one refund per order", () =>
    Effect.gen(function* () {
      const admin = yield* adminClient
      yield* simulatorProvider("sim", { outcome: "failure", checksBeforeFinal: 0 })
      yield* routedPackage("doomed", { mode: "auto", primary: "sim" }, "10.00")
      const { create, balance } = yield* reseller("doomed")
      const count = 5
      const checks = yield* sleepRegistered(10_000, count)
      const orders = yield* Effect.all(Array.from({ length: count }, () => create))
      yield* checks
      assert.strictEqual(yield* balance, "50.00")

      // the engine's check (due now) finds every order failed while an operator rejects each of them
      const [, answers] = yield* Effect.all(
        [
          TestClock.adjust("10 seconds"),
          Effect.forEach(
            orders,
            ({ created }) =>
              admin.admin.reject({ params: { id: created.id }, payload: { note: "refund it" } }),
            { concurrency: "unbounded" }
          )
        ],
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(answers.map((o) => o.status)), new Set(["rejected"]))
      yield* engineIdle
      for (const { created, get } of orders) {
        assert.strictEqual((yield* get).status, "rejected")
        assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -10.00", "refund 10.00"])
        assert.strictEqual(yield* outboxOf(created.id), undefined)
        const log = yield* dispatchLogOf(created.id)
        const settlements = log.filter(
          (e) => (e.action === "check" && e.outcome === "Failed") || e.outcome === "rejected"
        )
        assert.strictEqual(settlements.length, 1, JSON.stringify(log))
      }
      assert.strictEqual(yield* balance, "100.00", "every order refunded exactly once")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "a manual order sent back to the provider it was at: checked by reference first, never re-sent",
    () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        yield* simulatorProvider("slow", { checksBeforeFinal: 1000 })
        yield* routedPackage("stuck", { mode: "auto", primary: "slow" })
        const { create } = yield* reseller("stuck")
        const firstCheck = yield* sleepRegistered(10_000)
        const { created, get } = yield* create
        yield* firstCheck
        // checks at 10 s and 20 s answer `processing`; at 30 s the 25 s deadline has passed
        for (const next of [20_000, 30_000]) {
          const registered = yield* sleepRegistered(next)
          yield* TestClock.adjust("10 seconds")
          yield* registered
        }
        yield* TestClock.adjust("10 seconds")
        const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
        assert.strictEqual(manual.dispatch.provider, "slow")
        yield* engineIdle
        const checksBefore = (yield* simulatorCalls("check")).length

        const requeued = yield* admin.admin.dispatch({ params: { id: created.id }, payload: {} })
        assert.strictEqual(requeued.dispatch.state, "sending", "maybe at the provider already: check first")
        yield* eventually(simulatorCalls("check"), (calls) => calls.length === checksBefore + 1)
        const awaiting = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(awaiting.status, "pending")
        assert.strictEqual((yield* simulatorCalls("place")).length, 1, "the provider has it: no second place")
      }).pipe(Effect.provide(engineStack({ ...quietNode, pollDeadline: Duration.seconds(25) })))
  )
})
