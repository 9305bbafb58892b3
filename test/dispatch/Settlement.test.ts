import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import type { Lease } from "../../src/orders/Lease.js"
import { OrderStore } from "../../src/orders/OrderStore.js"
import type { SimulatorOptions } from "../../src/providers/ProviderConfig.js"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
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
import { resellerWithBalance } from "../support/TestServer.js"

const setup = (options: SimulatorOptions, price = "35.00") =>
  Effect.gen(function* () {
    yield* simulatorProvider("sim", options)
    yield* routedPackage("pubg", { mode: "auto", primary: "sim" }, price)
    const { client } = yield* resellerWithBalance("100.00")
    const create = Effect.map(
      client.orders.create({ payload: { packageId: "pubg", playerId: "5551234", quantity: 1 }, headers: {} }),
      (created) => ({ created, get: client.orders.get({ params: { id: created.id } }) })
    )
    const balance = Effect.map(client.orders.account(), (account) => account.balance)
    return { create, balance }
  })

/** The lease the engine holds on the order right now, read from its outbox row. */
const currentLease = (orderId: string) =>
  Effect.map(outboxOf(orderId), (row): Lease => {
    assert.isDefined(row, "the order is still the engine's")
    assert.isNotNull(row.owner_node)
    return { orderId, nodeId: row.owner_node, fence: Number(row.fence) }
  })

const ledgerKinds = (orderId: string) =>
  Effect.map(ledgerOf(orderId), (entries) => entries.map((entry) => `${entry.kind} ${entry.amount}`))

const checksCount = Effect.map(simulatorCalls("check"), (calls) => calls.length)

describe("dispatch: settlement happens exactly once, on TestClock", () => {
  it.effect("rejected at send → order rejected, the exact amount refunded once", () =>
    Effect.gen(function* () {
      const { create, balance } = yield* setup({})
      yield* (yield* SimulatorProvider).inject("sim", "place", "rejected")
      const { created, get } = yield* create

      const rejected = yield* eventually(get, (o) => o.status === "rejected")
      assert.strictEqual(rejected.dispatch.state, "failed")
      assert.strictEqual(rejected.message, ResellerWords.rejected, "our words, never the provider's text")
      assert.strictEqual(rejected.dispatch.attempts, 1)
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00", "refund 35.00"])
      assert.strictEqual(yield* balance, "100.00")
      assert.strictEqual(yield* outboxOf(created.id), undefined)

      yield* engineIdle
      yield* TestClock.adjust("1 minute")
      yield* engineIdle
      assert.strictEqual(yield* checksCount, 0, "a rejected order is not polled")
      assert.strictEqual((yield* simulatorCalls("place")).length, 1)
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00", "refund 35.00"])
      assert.strictEqual(yield* balance, "100.00")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("the provider's checks end in failure → rejected on that check, one refund", () =>
    Effect.gen(function* () {
      const { create, balance } = yield* setup({ outcome: "failure", checksBeforeFinal: 1 })
      const firstCheck = yield* sleepRegistered(10_000)
      const { created, get } = yield* create
      yield* firstCheck
      const secondCheck = yield* sleepRegistered(20_000)
      yield* TestClock.adjust("10 seconds")
      yield* secondCheck
      assert.strictEqual((yield* get).status, "pending", "a pending answer settles nothing")
      yield* TestClock.adjust("10 seconds")

      const rejected = yield* eventually(get, (o) => o.status === "rejected")
      assert.strictEqual(rejected.dispatch.state, "failed")
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00", "refund 35.00"])
      assert.strictEqual(yield* balance, "100.00")
      assert.deepStrictEqual(
        (yield* dispatchLogOf(created.id)).map((entry) => `${entry.action}:${entry.outcome}`),
        ["send:Accepted", "check:Pending", "check:Failed"]
      )
      yield* engineIdle
      yield* TestClock.adjust("1 minute")
      yield* engineIdle
      assert.strictEqual(yield* checksCount, 2)
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00", "refund 35.00"])
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "two concurrent rejects with the same lease → one succeeds, the other is LeaseLost; one refund (5 orders at once)",
    () =>
      Effect.gen(function* () {
        const { create, balance } = yield* setup({ checksBeforeFinal: 1000 }, "10.00")
        const firstCheck = yield* sleepRegistered(10_000, 5)
        const orders = yield* Effect.all(Array.from({ length: 5 }, () => create))
        yield* firstCheck
        assert.strictEqual(yield* balance, "50.00")
        const store = yield* Effect.provide(OrderStore, OrderStore.layer)
        const leases = yield* Effect.forEach(orders, ({ created }) => currentLease(created.id))

        // all ten rejects in flight at once, so that pairs really overlap in the database
        const results = yield* Effect.forEach(
          leases,
          (lease) =>
            Effect.all(
              [
                Effect.result(store.reject(lease, "operator A")),
                Effect.result(store.reject(lease, "operator B"))
              ],
              {
                concurrency: "unbounded"
              }
            ),
          { concurrency: "unbounded" }
        )
        for (const [i, { created, get }] of orders.entries()) {
          const won = results[i]!.filter(Result.isSuccess)
          const lost = results[i]!.filter(Result.isFailure)
          assert.strictEqual(won.length, 1, "exactly one settlement")
          assert.deepStrictEqual(
            lost.map((result) => result.failure._tag),
            ["LeaseLost"]
          )
          assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -10.00", "refund 10.00"])
          const rejected = yield* get
          assert.strictEqual(rejected.status, "rejected")
          assert.strictEqual(rejected.message, won[0]!.success.message)
        }
        assert.strictEqual(yield* balance, "100.00")

        // the engine's fibers find their orders settled at their next write and stop polling
        yield* TestClock.adjust("10 seconds")
        yield* engineIdle
        const checks = yield* checksCount
        assert.isAtMost(checks, 5)
        yield* TestClock.adjust("1 minute")
        yield* engineIdle
        assert.strictEqual(yield* checksCount, checks)
        for (const { created } of orders) {
          assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -10.00", "refund 10.00"])
        }
        assert.strictEqual(yield* balance, "100.00")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "an operator's reject racing the engine's own settling check → per order exactly one winner, one refund",
    () =>
      Effect.gen(function* () {
        const { create, balance } = yield* setup({ outcome: "failure", checksBeforeFinal: 1 }, "10.00")
        const firstCheck = yield* sleepRegistered(10_000, 5)
        const orders = yield* Effect.all(Array.from({ length: 5 }, () => create))
        assert.strictEqual(yield* balance, "50.00")
        yield* firstCheck
        const settlingCheck = yield* sleepRegistered(20_000, 5)
        yield* TestClock.adjust("10 seconds")
        yield* settlingCheck
        const store = yield* Effect.provide(OrderStore, OrderStore.layer)
        const leases = yield* Effect.forEach(orders, ({ created }) => currentLease(created.id))

        // the engine's checks (which answer "cancelled") run while each order's reject is sent, as soon as the
        // provider has answered that order's check
        yield* TestClock.adjust("10 seconds")
        const ours = yield* Effect.forEach(
          orders,
          ({ created }, i) =>
            eventually(simulatorCalls("check"), (calls) =>
              calls.some((call) => call.reference === created.dispatch.reference && call.atMillis === 20_000)
            ).pipe(Effect.andThen(Effect.result(store.reject(leases[i]!, "rejected by an operator")))),
          { concurrency: "unbounded" }
        )

        for (const [i, { created, get }] of orders.entries()) {
          const settled = yield* eventually(get, (o) => o.status === "rejected")
          const mine = ours[i]!
          if (Result.isSuccess(mine)) {
            assert.strictEqual(settled.message, "rejected by an operator")
          } else {
            assert.strictEqual(mine.failure._tag, "LeaseLost")
            assert.strictEqual(settled.message, "تم الإلغاء من المزود (cancelled by the provider)")
          }
          assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -10.00", "refund 10.00"])
        }
        yield* engineIdle
        assert.strictEqual(yield* balance, "100.00", "every order refunded exactly once")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("poll deadline passed → manual with the money held, and no check afterwards", () =>
    Effect.gen(function* () {
      const { create, balance } = yield* setup({ checksBeforeFinal: 1000 })
      let nextCheck = yield* sleepRegistered(10_000)
      const { created, get } = yield* create
      for (let at = 10_000; at <= 50_000; at += 10_000) {
        yield* nextCheck
        nextCheck = yield* sleepRegistered(at + 10_000)
        yield* TestClock.adjust("10 seconds")
      }
      yield* nextCheck
      assert.strictEqual((yield* get).dispatch.state, "awaiting")
      assert.deepStrictEqual(
        (yield* simulatorCalls("check")).map((call) => call.atMillis),
        [10_000, 20_000, 30_000, 40_000, 50_000]
      )

      yield* TestClock.adjust("10 seconds")
      const manual = yield* eventually(get, (o) => o.dispatch.state === "manual")
      assert.strictEqual(manual.status, "pending")
      assert.deepStrictEqual(yield* ledgerKinds(created.id), ["debit -35.00"], "never silently refunded")
      assert.strictEqual(yield* balance, "65.00", "the money is held for an operator")
      assert.strictEqual(yield* outboxOf(created.id), undefined)

      yield* engineIdle
      yield* TestClock.adjust("1 minute")
      yield* engineIdle
      assert.strictEqual(yield* checksCount, 5, "no check after the deadline")
      assert.strictEqual((yield* get).dispatch.state, "manual")
    }).pipe(Effect.provide(engineStack({ ...quietNode, pollDeadline: Duration.minutes(1) })))
  )
})
