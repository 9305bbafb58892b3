import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, References, Result } from "effect"
import { inspect } from "node:util"
import type { ProviderClient, ProviderOrder } from "../../src/providers/Provider.js"
import type { ProviderRow } from "../../src/providers/ProviderConfigs.js"
import { makeZnetFactory, type ZnetOptions } from "../../src/providers/Znet.js"
import { freePort } from "../../src/testing/Loopback.js"
import { assertNoSecrets, outcome, reply } from "../support/ProviderTestKit.js"
import type { WireFault } from "../support/WireServer.js"
import { ZnetSimulator, type ZnetSimulatorOptions } from "../support/ZnetSimulator.js"

const fast: Partial<ZnetOptions> = {
  sendTimeout: "400 millis",
  checkTimeout: "400 millis",
  spacing: "1 millis"
}

const rowFor = (
  baseUrl: string,
  kod: string,
  sifre: string,
  overrides: Partial<ProviderRow> = {}
): ProviderRow => ({
  id: "znet-main",
  kind: "znet",
  name: "Znet",
  base_url: baseUrl,
  credentials: { kod, sifre },
  options: {},
  enabled: true,
  ...overrides
})

const order = (overrides: Partial<ProviderOrder> = {}): ProviderOrder => ({
  orderId: "6f1c2d3e-0000-4000-8000-000000000001",
  reference: "250101000000000001",
  providerOrderId: undefined,
  quantity: 1,
  playerId: "5123456789",
  extra: undefined,
  mapping: { sku: "2", meta: { oyun: "1", kupur: "325" } },
  ...overrides
})

/** A Znet simulator and a client of it, built by the real factory. */
const setup = (
  simulator: ZnetSimulatorOptions = {},
  options: Partial<ZnetOptions> = {},
  row: Partial<ProviderRow> = {}
) =>
  Effect.gen(function* () {
    const sim = yield* ZnetSimulator.start(simulator)
    const factory = yield* makeZnetFactory({ ...fast, ...options })
    const client = yield* factory(rowFor(sim.baseUrl, sim.kod, sim.sifre, row))
    return { sim, client }
  })

describe("Znet adapter over real HTTP", () => {
  const placeCases: ReadonlyArray<{ name: string; fault: WireFault; tag: string; message?: string }> = [
    { name: "OK|cost|balance → Accepted", fault: reply("OK|10.12|980.88"), tag: "Accepted" },
    { name: "empty body (dealer, API, IP) → Misconfigured", fault: "empty", tag: "ProviderMisconfigured" },
    { name: "HTML page → Misconfigured", fault: "html", tag: "ProviderMisconfigured" },
    {
      name: "HTTP 404 HTML page → Misconfigured",
      fault: reply("<html>404</html>", 404),
      tag: "ProviderMisconfigured"
    },
    {
      name: "8|Bağlantı Hatası → Misconfigured",
      fault: reply("8|Bağlantı Hatası, IP adresi yetkisiz"),
      tag: "ProviderMisconfigured"
    },
    {
      name: "3|Kupur Bilgisi Bulunamadı → Misconfigured",
      fault: "productNotFound",
      tag: "ProviderMisconfigured"
    },
    { name: "bakiye yetersiz → Unavailable", fault: "insufficientBalance", tag: "ProviderUnavailable" },
    {
      name: "BAKİYE YETERSİZ (upper case) → Unavailable",
      fault: reply("6|BAYİ BAKİYE YETERSİZ"),
      tag: "ProviderUnavailable"
    },
    { name: "bakım → Unavailable", fault: "maintenance", tag: "ProviderUnavailable" },
    {
      name: "another code|text → Rejected with the provider's text",
      fault: reply("5|Oyuncu ID geçersiz"),
      tag: "ProviderRejected",
      message: "Oyuncu ID geçersiz"
    },
    { name: "unparseable body → Ambiguous", fault: "garbage", tag: "ProviderAmbiguous" },
    { name: "HTTP 429 → Transient", fault: "429", tag: "ProviderTransient" },
    { name: "HTTP 5xx → Ambiguous", fault: "5xx", tag: "ProviderAmbiguous" },
    { name: "no answer (timeout) → Ambiguous", fault: "hang", tag: "ProviderAmbiguous" },
    { name: "connection dropped after the request → Ambiguous", fault: "drop", tag: "ProviderAmbiguous" },
    {
      name: "order taken, then the connection dropped → Ambiguous",
      fault: "dropAfterAccept",
      tag: "ProviderAmbiguous"
    }
  ]

  it.live.each(placeCases)("place: $name", ({ fault, tag, message }) =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject(fault, { on: "place" })
      const result = yield* Effect.result(client.place(order()))
      assert.strictEqual(outcome(result), tag)
      if (message !== undefined && Result.isFailure(result))
        assert.strictEqual(result.failure.message, message)
      assertNoSecrets(result, [sim.kod, sim.sifre])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  const checkCases: ReadonlyArray<{ name: string; fault: WireFault; tag: string; pin?: string | undefined }> =
    [
      { name: "OK|1 → Pending", fault: reply("OK|1| - |Beklemede"), tag: "Pending" },
      {
        name: "OK|2 with a PIN → Succeeded",
        fault: reply("OK|2|ABCD-1234-EFGH|Başarılı"),
        tag: "Succeeded",
        pin: "ABCD-1234-EFGH"
      },
      {
        name: "OK|2 with PIN ' - ' → Succeeded, no PIN",
        fault: reply("OK|2| - |Yüklendi"),
        tag: "Succeeded",
        pin: undefined
      },
      {
        name: "OK|2 with a blank PIN → Succeeded, no PIN",
        fault: reply("OK|2||Yüklendi"),
        tag: "Succeeded",
        pin: undefined
      },
      { name: "OK|3 (cancelled) → Failed", fault: reply("OK|3| - |İptal edildi"), tag: "Failed" },
      {
        name: "3|İşlem Bulunamadı (never seen) → NotFound",
        fault: reply("3|İşlem Bulunamadı"),
        tag: "NotFound"
      },
      { name: "HTTP 5xx → Transient", fault: "5xx", tag: "ProviderTransient" },
      { name: "HTTP 429 → Transient", fault: "429", tag: "ProviderTransient" },
      { name: "no answer → Transient", fault: "hang", tag: "ProviderTransient" },
      { name: "dropped connection → Transient", fault: "drop", tag: "ProviderTransient" },
      { name: "unparseable body → Transient", fault: "garbage", tag: "ProviderTransient" },
      { name: "empty body → Misconfigured", fault: "empty", tag: "ProviderMisconfigured" },
      { name: "HTML → Misconfigured", fault: "html", tag: "ProviderMisconfigured" }
    ]

  it.live.each(checkCases)("check: $name", ({ fault, tag, pin }) =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject(fault, { on: "check" })
      const result = yield* Effect.result(client.check(order()))
      assert.strictEqual(outcome(result), tag)
      if (Result.isSuccess(result) && result.success._tag === "Succeeded")
        assert.strictEqual(result.success.pin, pin)
      assertNoSecrets(result, [sim.kod, sim.sifre])
      const checks = (yield* sim.requests).filter((r) => r.path === "/servis/pin_kontrol.php")
      assert.deepStrictEqual(
        checks.map((r) => r.query),
        [{ tahsilat_api_islem_id: order().reference }]
      )
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("balance: OK|12755.23 → 12755.23 TRY; an empty body → Misconfigured; 5xx → Transient", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({ balance: 12755.23 })
      assert.deepStrictEqual(yield* client.balance, { balance: "12755.23", currency: "TRY" })
      yield* sim.inject("empty")
      assert.strictEqual(outcome(yield* Effect.result(client.balance)), "ProviderMisconfigured")
      yield* sim.inject("5xx")
      assert.strictEqual(outcome(yield* Effect.result(client.balance)), "ProviderTransient")
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("place → check round trip: accepted with its cost, waiting, then delivered with the PIN", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({ pollsBeforeFinal: 1 })
      const placed = yield* client.place(order())
      assert.strictEqual(placed._tag, "Accepted")
      if (placed._tag === "Accepted") assert.strictEqual(placed.cost, "35.00")
      assert.strictEqual((yield* client.check(order()))._tag, "Pending")
      const done = yield* client.check(order())
      assert.deepStrictEqual(done._tag === "Succeeded" ? done.pin : done._tag, `PIN-${order().reference}`)
      const place = (yield* sim.requests).find((r) => r.path === "/servis/pin_ekle.php")
      assert.deepStrictEqual(place?.query, {
        oyun: "1",
        kupur: "325",
        referans: order().reference,
        musteri_tel: "111111111",
        oyuncu_bilgi: "5123456789"
      })
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("cancelled (OK|3|…) is Failed, never-seen (3|İşlem Bulunamadı) is NotFound", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({ outcome: "failure", pollsBeforeFinal: 0 })
      yield* client.place(order())
      assert.strictEqual((yield* client.check(order()))._tag, "Failed")
      const unknown = yield* client.check(order({ reference: "250101999999999999" }))
      assert.strictEqual(unknown._tag, "NotFound")
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("a top-up (PIN ` - `) succeeds without a PIN", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({ pollsBeforeFinal: 0 })
      const topUp = order({ mapping: { sku: "9", meta: { oyun: "4", kupur: "100" } } })
      yield* client.place(topUp)
      const done = yield* client.check(topUp)
      assert.deepStrictEqual(done, { _tag: "Succeeded", pin: undefined, message: "Başarılı" })
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("the provider does not deduplicate: the same reference twice is two orders", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* client.place(order())
      yield* client.place(order())
      assert.strictEqual(yield* sim.placements(order().reference), 2)
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  const phoneCases: ReadonlyArray<{ extra: string | undefined; defaultPhone?: string; sent: string }> = [
    { extra: "+905551234567", sent: "+905551234567" },
    { extra: "+90 555 123-45-67", sent: "+905551234567" },
    { extra: "+123456789", sent: "+123456789" },
    { extra: "+12345678", sent: "111111111" },
    { extra: "+1234567890123456", sent: "111111111" },
    { extra: "905551234567", sent: "111111111" },
    { extra: "server-7", sent: "111111111" },
    { extra: undefined, sent: "111111111" },
    { extra: "EU", defaultPhone: "5550001122", sent: "5550001122" },
    { extra: "+447700900123", defaultPhone: "5550001122", sent: "+447700900123" }
  ]

  it.live.each(phoneCases)(
    "musteri_tel: extra $extra, default $defaultPhone → $sent",
    ({ extra, defaultPhone, sent }) =>
      Effect.gen(function* () {
        const { sim, client } = yield* setup(
          {},
          {},
          { options: defaultPhone === undefined ? {} : { defaultPhone } }
        )
        yield* client.place(order({ extra }))
        const place = (yield* sim.requests).find((r) => r.path === "/servis/pin_ekle.php")
        assert.strictEqual(place?.query["musteri_tel"], sent)
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live(
    "no mapping, a mapping without oyun/kupur, or a non-numeric reference: Misconfigured, nothing sent",
    () =>
      Effect.gen(function* () {
        const { sim, client } = yield* setup()
        const cases: ReadonlyArray<ProviderOrder> = [
          order({ mapping: undefined }),
          order({ mapping: { sku: "2", meta: { oyun: "1" } } }),
          order({ mapping: { sku: "2" } }),
          order({ reference: "6f1c2d3e-0000-4000-8000-000000000001" }),
          order({ reference: "123456789012345678901" })
        ]
        for (const bad of cases) {
          assert.strictEqual(outcome(yield* Effect.result(client.place(bad))), "ProviderMisconfigured")
        }
        assert.strictEqual(
          outcome(yield* Effect.result(client.check(order({ reference: "abc" })))),
          "ProviderMisconfigured"
        )
        assert.lengthOf(yield* sim.requests, 0)
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("a row without a base URL or credentials is Misconfigured at construction", () =>
    Effect.gen(function* () {
      const factory = yield* makeZnetFactory(fast)
      const noUrl = rowFor("", "k", "s", { base_url: null })
      const noSecret = rowFor("http://127.0.0.1:1", "k", "")
      for (const row of [noUrl, noSecret, { ...noUrl, base_url: "ftp://x" }]) {
        assert.strictEqual(outcome(yield* Effect.result(factory(row))), "ProviderMisconfigured")
      }
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("connection refused → Transient for a place and a check (the request never went out)", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort)
      const factory = yield* makeZnetFactory(fast)
      const client: ProviderClient = yield* factory(rowFor(`http://127.0.0.1:${port}`, "bayi", "sifre-123"))
      const placed = yield* Effect.result(client.place(order()))
      assert.strictEqual(outcome(placed), "ProviderTransient")
      assert.include(Result.isFailure(placed) ? placed.failure.message : "", "ECONNREFUSED")
      assert.strictEqual(outcome(yield* Effect.result(client.check(order()))), "ProviderTransient")
      assertNoSecrets(placed, ["bayi", "sifre-123"])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("credentials never appear in errors, recorded requests or debug logs — even when echoed back", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.make(({ message, fiber }) => {
        lines.push(
          `${inspect(message)} ${inspect(Object.entries(fiber.getRef(References.CurrentLogAnnotations)))}`
        )
      })
      const { sim, client } = yield* setup(
        { kod: "bayi-4711", sifre: "gizli-sifre-81" },
        {},
        {
          credentials: { kod: "bayi-4711", sifre: "yanlis-sifre-99" }
        }
      )
      const secrets = ["bayi-4711", "gizli-sifre-81", "yanlis-sifre-99"]
      const results = yield* Effect.all([
        Effect.result(client.place(order())),
        Effect.result(client.check(order())),
        Effect.result(client.balance)
      ]).pipe(
        Effect.provideService(References.MinimumLogLevel, "Debug"),
        Effect.provide(Logger.layer([capture, Logger.tracerLogger]))
      )
      for (const result of results) assert.strictEqual(outcome(result), "ProviderMisconfigured")
      assertNoSecrets(results, secrets)
      assertNoSecrets(yield* sim.requests, secrets)
      assert.lengthOf(lines, 3, "one debug line a call")
      assert.include(lines[0], "pin_ekle")
      for (const line of lines) for (const secret of secrets) assert.notInclude(line, secret)
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("calls to one provider are spaced ≥ 200 ms apart by default, even when made concurrently", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({}, { spacing: "200 millis" })
      yield* Effect.all([client.balance, client.balance, client.check(order()), client.balance], {
        concurrency: "unbounded"
      })
      const times = (yield* sim.requests).map((r) => r.atMillis).sort((a, b) => a - b)
      assert.lengthOf(times, 4)
      // arrival times at the server jitter under load, so single gaps get some slack; the span may not
      assert.isAtLeast(times[3]! - times[0]!, 570, "three spacings of 200 ms")
      for (let i = 1; i < times.length; i++) {
        assert.isAtLeast(times[i]! - times[i - 1]!, 120, `gap ${i}: ${times[i]! - times[i - 1]!} ms`)
      }
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )
})
