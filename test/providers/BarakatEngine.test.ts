import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { DispatchConfig } from "../../src/dispatch/DispatchConfig.js"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import { startHoldingProxy } from "../support/HoldingProxy.js"
import { engineStack, eventually, pendingSleeps, quietNode } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"
import {
  awaitSleeps,
  barakatPubg,
  putBarakat,
  putPackage,
  realPause,
  requestsTo,
  sleepsAt,
  stepClockUntil
} from "../support/WireEngine.js"

const checkTimeout = Duration.toMillis(DispatchConfig.defaults.checkTimeout)

/**
 * Moves the TestClock to `at`, when `orders` order fibers come due for a check, and waits until each has queued its
 * check: a woken fiber arms its check timeout, then hands its check to the provider's batcher (whose window is on
 * the TestClock, so it stays open meanwhile).
 */
const wake = (at: number, orders: number) =>
  Effect.gen(function* () {
    yield* TestClock.adjust(at - (yield* Clock.currentTimeMillis))
    yield* awaitSleeps(at + checkTimeout, orders)
    yield* realPause(300)
  })

describe("the engine against the Barakat wire simulator, on TestClock", () => {
  it.effect(
    "create → one newOrder with order_uuid = order id → no check before 10 s → batched check every 10 s → approved with Barakat's PIN",
    () =>
      Effect.gen(function* () {
        const sim = yield* BarakatSimulator.start({ outcome: "success", pollsBeforeFinal: 1 })
        const admin = yield* adminClient
        yield* putBarakat(admin, "barakat", sim)
        yield* putPackage(admin, "pubg", { mode: "auto", primary: "barakat" }, { barakat: barakatPubg })
        const { client } = yield* resellerWithBalance("100.00")
        const checks = requestsTo(sim, "/client/api/check")

        const created = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        const get = client.orders.get({ params: { id: created.id } })
        const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(accepted.dispatch.provider, "barakat")
        const places = yield* requestsTo(sim, "/params")
        assert.deepStrictEqual(
          places.map((r) => [r.path, r.query["order_uuid"], r.query["uid"], r.query["qty"]]),
          [["/client/api/newOrder/101/params", created.id, "5551234", "1"]]
        )
        assert.strictEqual(yield* sim.placements(created.id), 1)

        // the order's first check is due at 10 000 ms; the check batcher then waits 25 ms for company
        yield* awaitSleeps(10_000, 1)
        yield* TestClock.adjust("9999 millis")
        yield* realPause(50)
        assert.lengthOf(yield* checks, 0, "no check before one interval")
        const window = (yield* sleepsAt(10_025)) + 1
        yield* TestClock.adjust("1 millis")
        yield* awaitSleeps(10_025, window)
        yield* realPause(50)
        assert.lengthOf(yield* checks, 0, "the check waits for its batch")
        const secondDue = (yield* sleepsAt(20_025)) + 1
        yield* TestClock.adjust("25 millis")
        yield* eventually(checks, (c) => c.length === 1)
        const waiting = yield* eventually(get, (o) => o.dispatch.lastCheckedAt !== undefined)
        assert.strictEqual(waiting.status, "pending", "the first check answers wait")
        assert.deepStrictEqual(
          (yield* checks).map((r) => [r.query["orders"], r.query["uuid"]]),
          [[`[${created.id}]`, "1"]]
        )

        // the next one interval after that check answered
        yield* awaitSleeps(20_025, secondDue)
        yield* TestClock.adjust("9999 millis")
        yield* realPause(50)
        assert.lengthOf(yield* checks, 1, "no second check before another interval")
        const window2 = (yield* sleepsAt(20_050)) + 1
        yield* TestClock.adjust("1 millis")
        yield* awaitSleeps(20_050, window2)
        yield* TestClock.adjust("25 millis")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.state, "done")
        assert.strictEqual(done.pin, `PIN-${created.id}`)
        assert.lengthOf(yield* checks, 2)
        assert.strictEqual(yield* sim.placements(created.id), 1, "never sent twice")
        assert.strictEqual((yield* client.orders.account()).balance, "65.00", "approval moves no money")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("Barakat rejects → rejected with its note and exactly one refund", () =>
    Effect.gen(function* () {
      const sim = yield* BarakatSimulator.start({ outcome: "failure", pollsBeforeFinal: 0 })
      const admin = yield* adminClient
      yield* putBarakat(admin, "barakat", sim)
      yield* putPackage(admin, "pubg", { mode: "auto", primary: "barakat" }, { barakat: barakatPubg })
      const { accountId, client } = yield* resellerWithBalance("100.00")

      const created = yield* client.orders.create({
        payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
        headers: {}
      })
      const get = client.orders.get({ params: { id: created.id } })
      yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      yield* awaitSleeps(10_000, 1)
      const window = (yield* sleepsAt(10_025)) + 1
      yield* TestClock.adjust("10 seconds")
      yield* awaitSleeps(10_025, window)
      yield* TestClock.adjust("25 millis")

      const rejected = yield* eventually(get, (o) => o.status === "rejected")
      assert.strictEqual(rejected.dispatch.state, "failed")
      assert.strictEqual(rejected.message, ResellerWords.cancelled, "the reseller reads our words")
      const log = yield* admin.admin.orderLog({ params: { id: created.id } })
      assert.isTrue(
        log.items.some((entry) => (entry.response ?? "").includes("wrong player id")),
        "the operator reads the provider's"
      )
      assert.strictEqual(yield* sim.placements(created.id), 1)
      assert.lengthOf(yield* requestsTo(sim, "/client/api/check"), 1)

      const ledger = yield* admin.admin.ledger({ params: { id: accountId }, query: {} })
      assert.deepStrictEqual(
        ledger.items.filter((e) => e.orderId === created.id).map((e) => [e.kind, e.amount]),
        [
          ["refund", "35.00"],
          ["debit", "-35.00"]
        ]
      )
      assert.strictEqual((yield* client.orders.account()).balance, "100.00", "the balance is restored")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("GET /v1/admin/providers/{id}/catalogue lists Barakat's products", () =>
    Effect.gen(function* () {
      const sim = yield* BarakatSimulator.start()
      const admin = yield* adminClient
      yield* putBarakat(admin, "barakat", sim)
      const catalogue = yield* admin.admin.providerCatalogue({ params: { id: "barakat" } })
      assert.deepStrictEqual(
        catalogue.map((item) => [item.sku, item.name, item.price, item.available, item.params]),
        [
          ["101", "PUBG 325 UC", "4.55", true, ["uid"]],
          ["202", "Likee Diamonds", "0.50", true, ["player_id", "server"]],
          ["303", "Free Fire 100", "1.00", false, ["uid"]]
        ]
      )
      assert.lengthOf(yield* requestsTo(sim, "/client/api/products"), 1)
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  // a poll interval that leaves the sends' 20 s timeouts behind before the first round
  const interval = 30_000

  it.effect(
    "200 orders in flight: one poll round asks with at most ceil(200/50) = 4 check requests, and every order settles",
    () =>
      Effect.gen(function* () {
        const count = 200
        const sql = yield* SqlClient.SqlClient
        const sim = yield* BarakatSimulator.start({
          balance: 10_000,
          outcome: "success",
          pollsBeforeFinal: 1
        })
        // sends are spaced 100 ms apart by the rate limiter; holding them lets all 200 answers land on one
        // TestClock instant, so every order's first check falls due at the same moment (one poll round)
        const proxy = yield* startHoldingProxy(sim.baseUrl, (path) => path.includes("/newOrder/"))
        const admin = yield* adminClient
        yield* putBarakat(admin, "barakat", { baseUrl: proxy.baseUrl, token: sim.token })
        yield* putPackage(
          admin,
          "pubg",
          { mode: "auto", primary: "barakat" },
          { barakat: barakatPubg },
          "1.00"
        )
        const { client } = yield* resellerWithBalance("1000.00")
        const checkRequests = Effect.map(requestsTo(sim, "/client/api/check"), (r) => r.length)
        const counts = sql<{ awaiting: string; checked: string; approved: string }>`
          select count(*) filter (where dispatch_state = 'awaiting') as awaiting,
                 count(*) filter (where last_checked_at is not null) as checked,
                 count(*) filter (where status = 'approved') as approved
          from tawsil.orders`.pipe(
          Effect.map(([row]) => ({
            awaiting: Number(row?.awaiting),
            checked: Number(row?.checked),
            approved: Number(row?.approved)
          })),
          Effect.orDie
        )

        const created = yield* Effect.forEach(
          Array.from({ length: count }, (_, i) => i),
          (i) =>
            client.orders.create({
              payload: { packageId: "pubg", playerId: `55500${i}`, quantity: 1 },
              headers: {}
            }),
          { concurrency: 20 }
        )

        // one send every 100 ms: 199 refills of the rate limiter, 19.9 s (inside the first send's 20 s timeout)
        for (let i = 1; i < count; i++) {
          yield* awaitSleeps((yield* Clock.currentTimeMillis) + 100, 1)
          yield* TestClock.adjust("100 millis")
        }
        yield* eventually(proxy.held, (held) => held === count)
        const sentAt = yield* Clock.currentTimeMillis
        assert.strictEqual(sentAt, 19_900)
        yield* proxy.release
        yield* eventually(counts, (c) => c.awaiting === count)
        assert.lengthOf(yield* requestsTo(sim, "/params"), count, "one newOrder per order")

        // round 1: every order's check falls due at sentAt + one interval
        const dueAt = sentAt + interval
        yield* awaitSleeps(dueAt, count)
        assert.strictEqual(yield* checkRequests, 0)
        yield* wake(dueAt, count)
        // the clock moves on only when every batch sent has been answered and its orders are asleep again, as in
        // real time: the orders of one batch stay together for the next round. A batch goes out at the end of
        // the window (dueAt + 25) or when the rate limiter refills, and each sets off the next refill.
        const [roundTwoFrom, roundTwoUntil] = [dueAt + interval, dueAt + interval + 1_000]
        let refills = 0
        const quiet = Effect.all([pendingSleeps, sim.checkBatches]).pipe(
          Effect.map(([sleeps, batches]) => {
            const pending = sleeps.filter((at) => at > dueAt + 25 && at < dueAt + 1_000).length
            const asleep = sleeps.filter((at) => at >= roundTwoFrom && at < roundTwoUntil).length
            return batches.length === refills + pending && asleep >= batches.flat().length
          })
        )
        yield* stepClockUntil(
          Effect.map(counts, (c) => c.checked === count),
          {
            within: 150,
            settled: quiet,
            onStep: (at) => {
              if (at > dueAt + 25) refills += 1
            }
          }
        )
        const roundOne = yield* checkRequests
        assert.isAtMost(roundOne, Math.ceil(count / 50), `round one used ${roundOne} check requests`)
        const batches = yield* sim.checkBatches
        assert.isTrue(
          batches.every((ids) => ids.length <= 50),
          "at most 50 ids a request"
        )
        assert.strictEqual(new Set(batches.flat()).size, count, "every order asked about once")
        assert.strictEqual((yield* counts).approved, 0, "the first check answers wait")

        // round 2: each order is due one interval after its round-one answer, so the orders of one batch come
        // due together; it settles every order
        const due = new Map<number, number>()
        for (const at of yield* pendingSleeps) {
          if (at >= roundTwoFrom && at < roundTwoUntil) due.set(at, (due.get(at) ?? 0) + 1)
        }
        const groups = [...due].sort(([a], [b]) => a - b)
        assert.strictEqual(
          groups.reduce((sum, [, orders]) => sum + orders, 0),
          count,
          `every order polls again one interval after its answer: ${JSON.stringify(groups)}`
        )
        assert.isAtMost(groups.length, Math.ceil(count / 50))
        for (const [at, orders] of groups) yield* wake(at, orders)
        yield* stepClockUntil(
          Effect.map(counts, (c) => c.approved === count),
          { within: 150 }
        )
        const roundTwo = (yield* checkRequests) - roundOne
        assert.isAtMost(roundTwo, Math.ceil(count / 50), `round two used ${roundTwo} check requests`)
        const orders = yield* sql<{ id: string; pin: string | null; status: string }>`
          select id, pin, status from tawsil.orders`.pipe(Effect.orDie)
        assert.isTrue(orders.every((o) => o.status === "approved" && o.pin === `PIN-${o.id}`))
        assert.strictEqual(new Set(created.map((o) => o.id)).size, count)
        for (const order of created.slice(0, 5)) assert.strictEqual(yield* sim.placements(order.id), 1)
        assert.strictEqual((yield* client.orders.account()).balance, "800.00")
      }).pipe(Effect.provide(engineStack({ ...quietNode, pollInterval: Duration.millis(interval) }))),
    120_000
  )
})
