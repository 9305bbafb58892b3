import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import { engineStack, eventually, quietNode } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"
import {
  awaitSleeps,
  barakatPubg,
  putBarakat,
  putPackage,
  putZnet,
  realPause,
  requestsTo,
  sleepsAt,
  znetPubg
} from "../support/WireEngine.js"
import { ZnetSimulator } from "../support/ZnetSimulator.js"

describe("the engine against the Znet wire simulator, on TestClock", () => {
  it.effect(
    "create → one pin_ekle with the order's numeric referans → no check before 10 s → pin_kontrol every 10 s → approved with Znet's PIN",
    () =>
      Effect.gen(function* () {
        const sim = yield* ZnetSimulator.start({ outcome: "success", pollsBeforeFinal: 1 })
        const admin = yield* adminClient
        yield* putZnet(admin, "znet", sim)
        yield* putPackage(admin, "pubg", { mode: "auto", primary: "znet" }, { znet: znetPubg })
        const { client } = yield* resellerWithBalance("100.00")
        const checks = requestsTo(sim, "/pin_kontrol.php")

        const created = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        const reference = created.dispatch.reference ?? ""
        assert.match(reference, /^\d{1,20}$/, "Znet gets a numeric reference")
        const get = client.orders.get({ params: { id: created.id } })

        const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(accepted.dispatch.provider, "znet")
        const places = yield* requestsTo(sim, "/pin_ekle.php")
        assert.deepStrictEqual(
          places.map((r) => [
            r.query["referans"],
            r.query["oyun"],
            r.query["kupur"],
            r.query["oyuncu_bilgi"]
          ]),
          [[reference, "1", "325", "5551234"]]
        )
        assert.strictEqual(yield* sim.placements(reference), 1)

        // the first check is due one interval after the send (at 10 000 ms on the TestClock)
        yield* awaitSleeps(10_000, 1)
        yield* TestClock.adjust("9999 millis")
        yield* realPause(50)
        assert.lengthOf(yield* checks, 0, "no check before one interval")
        const secondDue = (yield* sleepsAt(20_000)) + 1
        yield* TestClock.adjust("1 millis")
        yield* eventually(checks, (c) => c.length === 1)
        const waiting = yield* eventually(get, (o) => o.dispatch.lastCheckedAt !== undefined)
        assert.strictEqual(waiting.status, "pending", "the first check answers 1 (waiting)")
        assert.deepStrictEqual(
          (yield* checks).map((r) => r.query["tahsilat_api_islem_id"]),
          [reference]
        )

        yield* awaitSleeps(20_000, secondDue)
        yield* TestClock.adjust("9999 millis")
        yield* realPause(50)
        assert.lengthOf(yield* checks, 1, "no second check before another interval")
        yield* TestClock.adjust("1 millis")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.state, "done")
        assert.strictEqual(done.pin, `PIN-${reference}`)
        assert.lengthOf(yield* checks, 2)
        assert.strictEqual(yield* sim.placements(reference), 1, "never sent twice")
        assert.strictEqual((yield* client.orders.account()).balance, "65.00", "approval moves no money")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("Znet cancels (OK|3) → rejected with its message and exactly one refund", () =>
    Effect.gen(function* () {
      const sim = yield* ZnetSimulator.start({ outcome: "failure", pollsBeforeFinal: 0 })
      const admin = yield* adminClient
      yield* putZnet(admin, "znet", sim)
      yield* putPackage(admin, "pubg", { mode: "auto", primary: "znet" }, { znet: znetPubg })
      const { accountId, client } = yield* resellerWithBalance("100.00")

      const created = yield* client.orders.create({
        payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
        headers: {}
      })
      const get = client.orders.get({ params: { id: created.id } })
      yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      assert.strictEqual((yield* client.orders.account()).balance, "65.00")
      yield* awaitSleeps(10_000, 1)
      yield* TestClock.adjust("10 seconds")

      const rejected = yield* eventually(get, (o) => o.status === "rejected")
      assert.strictEqual(rejected.dispatch.state, "failed")
      assert.strictEqual(rejected.message, ResellerWords.cancelled, "the reseller reads our words")
      const log = yield* admin.admin.orderLog({ params: { id: created.id } })
      assert.isTrue(
        log.items.some((entry) => (entry.response ?? "").includes("İptal edildi")),
        "the operator reads the provider's"
      )
      assert.isUndefined(rejected.pin)
      assert.strictEqual(yield* sim.placements(created.dispatch.reference ?? ""), 1)
      assert.lengthOf(yield* requestsTo(sim, "/pin_kontrol.php"), 1)

      const ledger = yield* admin.admin.ledger({ params: { id: accountId }, query: {} })
      const forOrder = ledger.items.filter((e) => e.orderId === created.id)
      assert.deepStrictEqual(
        forOrder.map((e) => [e.kind, e.amount]),
        [
          ["refund", "35.00"],
          ["debit", "-35.00"]
        ]
      )
      assert.strictEqual((yield* client.orders.account()).balance, "100.00", "the balance is restored")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "Znet out of balance (bakiye yetersiz) → the fallback Barakat: one placement at each, approved with Barakat's PIN",
    () =>
      Effect.gen(function* () {
        const znet = yield* ZnetSimulator.start({ balance: 0 })
        const barakat = yield* BarakatSimulator.start({ outcome: "success", pollsBeforeFinal: 0 })
        const admin = yield* adminClient
        yield* putZnet(admin, "znet", znet)
        yield* putBarakat(admin, "barakat", barakat)
        yield* putPackage(
          admin,
          "pubg",
          { mode: "auto", primary: "znet", fallback: "barakat" },
          { znet: znetPubg, barakat: barakatPubg }
        )
        const { client } = yield* resellerWithBalance("100.00")

        const created = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        const reference = created.dispatch.reference ?? ""
        const get = client.orders.get({ params: { id: created.id } })
        const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(accepted.dispatch.provider, "barakat")

        const znetPlaces = yield* requestsTo(znet, "/pin_ekle.php")
        assert.deepStrictEqual(
          znetPlaces.map((r) => r.query["referans"]),
          [reference],
          "one attempt at Znet"
        )
        assert.strictEqual(yield* znet.placements(reference), 0, "Znet refused it")
        const barakatPlaces = yield* requestsTo(barakat, "/params")
        assert.deepStrictEqual(
          barakatPlaces.map((r) => [r.path, r.query["order_uuid"], r.query["uid"]]),
          [["/client/api/newOrder/101/params", created.id, "5551234"]]
        )
        assert.strictEqual(yield* barakat.placements(created.id), 1)

        // the first check is due at 10 000 ms; Barakat's check batcher then waits 25 ms for company
        yield* awaitSleeps(10_000, 1)
        const windows = yield* sleepsAt(10_025)
        yield* TestClock.adjust("10 seconds")
        yield* awaitSleeps(10_025, windows + 1)
        yield* TestClock.adjust("25 millis")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.provider, "barakat")
        assert.strictEqual(done.pin, `PIN-${created.id}`)
        assert.lengthOf(yield* requestsTo(znet, "/pin_kontrol.php"), 0, "Znet is never asked about it")
        assert.lengthOf(yield* requestsTo(barakat, "/check"), 1)

        const log = yield* admin.admin.orderLog({ params: { id: created.id } })
        assert.deepStrictEqual(
          log.items.filter((e) => e.action === "send").map((e) => [e.providerId, e.outcome]),
          [
            ["znet", "ProviderUnavailable"],
            ["barakat", "Accepted"]
          ]
        )
        assert.include(
          log.items.find((e) => e.providerId === "znet")?.response ?? "",
          "Bakiye Yetersiz",
          "the log keeps Znet's answer"
        )
        assert.strictEqual((yield* client.orders.account()).balance, "65.00")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "GET /v1/admin/providers/{id}/catalogue lists pin_listesi (sku = id, meta oyun/kupur); a simulator has none",
    () =>
      Effect.gen(function* () {
        const sim = yield* ZnetSimulator.start()
        const admin = yield* adminClient
        yield* putZnet(admin, "znet", sim)
        const catalogue = yield* admin.admin.providerCatalogue({ params: { id: "znet" } })
        assert.deepStrictEqual(
          catalogue.map((item) => [item.sku, item.name, item.price, item.meta?.oyun, item.meta?.kupur]),
          [
            ["2", "PUBG Mobile 325 UC", "35.00", "1", "325"],
            ["3", "PUBG Mobile 660 UC", "70.00", "1", "660"],
            ["9", "Free Fire 100 Elmas", "10.12", "4", "100"]
          ]
        )
        assert.lengthOf(yield* requestsTo(sim, "/pin_listesi.php"), 1)

        yield* admin.admin.putProvider({
          params: { id: "sim" },
          payload: { kind: "simulator", name: "Sim", enabled: true, options: {} }
        })
        const none = yield* Effect.result(admin.admin.providerCatalogue({ params: { id: "sim" } }))
        assert.isTrue(Result.isFailure(none))
        if (Result.isFailure(none)) {
          assert.strictEqual(none.failure._tag, "ProviderCallFailed")
          assert.include(none.failure.message, "no catalogue")
        }
        const unknown = yield* Effect.result(admin.admin.providerCatalogue({ params: { id: "nope" } }))
        assert.isTrue(Result.isFailure(unknown) && unknown.failure._tag === "ProviderNotFound")
      }).pipe(Effect.provide(engineStack(quietNode)))
  )
})
