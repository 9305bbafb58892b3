import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Logger, References, Result } from "effect"
import { inspect } from "node:util"
import { type BarakatOptions, makeBarakatFactory } from "../../src/providers/Barakat.js"
import type { ProviderOrder } from "../../src/providers/Provider.js"
import type { ProviderRow } from "../../src/providers/ProviderConfigs.js"
import { BarakatSimulator, type BarakatSimulatorOptions } from "../support/BarakatSimulator.js"
import { freePort } from "../../src/testing/Loopback.js"
import { assertNoSecrets, outcome, reply } from "../support/ProviderTestKit.js"
import type { WireFault } from "../support/WireServer.js"

const fast: Partial<BarakatOptions> = {
  sendTimeout: "400 millis",
  checkTimeout: "400 millis",
  spacing: "1 millis",
  batchWindow: "5 millis"
}

const rowFor = (baseUrl: string, apiToken: string, overrides: Partial<ProviderRow> = {}): ProviderRow => ({
  id: "barakat-main",
  kind: "barakat",
  name: "Barakat",
  base_url: baseUrl,
  credentials: { apiToken },
  options: {},
  enabled: true,
  ...overrides
})

const uuid = (n: number) => `6f1c2d3e-0000-4000-8000-${String(n).padStart(12, "0")}`

const order = (overrides: Partial<ProviderOrder> = {}): ProviderOrder => ({
  orderId: uuid(1),
  reference: uuid(1),
  providerOrderId: undefined,
  quantity: 1,
  playerId: "5123456789",
  extra: undefined,
  mapping: { sku: "101" },
  ...overrides
})

/** A Barakat simulator and a client of it, built by the real factory. */
const setup = (
  simulator: BarakatSimulatorOptions = {},
  options: Partial<BarakatOptions> = {},
  row: Partial<ProviderRow> = {}
) =>
  Effect.gen(function* () {
    const sim = yield* BarakatSimulator.start(simulator)
    const factory = yield* makeBarakatFactory({ ...fast, ...options })
    const client = yield* factory(rowFor(sim.baseUrl, sim.token, row))
    return { sim, client, factory }
  })

const json = (body: unknown, status = 200) => reply(JSON.stringify(body), status, "application/json")

describe("Barakat adapter over real HTTP", () => {
  const placeCases: ReadonlyArray<{ name: string; fault: WireFault; tag: string; message?: string }> = [
    {
      name: "OK → Accepted",
      fault: json({ status: "OK", data: { order_id: 4242, status: "wait", price: 4.55 } }),
      tag: "Accepted"
    },
    {
      name: "ERROR Insufficient balance → Unavailable",
      fault: "insufficientBalance",
      tag: "ProviderUnavailable"
    },
    {
      name: "ERROR Insufficient balance as HTTP 400 → Unavailable",
      fault: json({ status: "ERROR", message: "Insufficient balance" }, 400),
      tag: "ProviderUnavailable"
    },
    {
      name: "120 token required (HTTP 401) → Misconfigured",
      fault: json({ code: 120, message: "Token required" }, 401),
      tag: "ProviderMisconfigured"
    },
    {
      name: "121 token error (HTTP 200) → Misconfigured",
      fault: json({ code: 121, message: "Token error" }),
      tag: "ProviderMisconfigured"
    },
    {
      name: "123 IP not allowed → Misconfigured",
      fault: json({ code: "123", message: "IP not allowed" }, 403),
      tag: "ProviderMisconfigured"
    },
    { name: "130 maintenance → Unavailable", fault: "maintenance", tag: "ProviderUnavailable" },
    {
      name: "109 product not found (HTTP 404) → Misconfigured",
      fault: "productNotFound",
      tag: "ProviderMisconfigured"
    },
    {
      name: "110 product not available → Unavailable",
      fault: json({ code: 110, message: "Product not available" }),
      tag: "ProviderUnavailable"
    },
    ...[105, 106, 112, 113, 114].map((code) => ({
      name: `${code} (quantity / param) → Rejected with the provider's text`,
      fault: json({ code, message: `problem ${code}` }, 400),
      tag: "ProviderRejected",
      message: `problem ${code}`
    })),
    {
      name: "ERROR with another message → Rejected",
      fault: json({ status: "ERROR", message: "Invalid player id" }),
      tag: "ProviderRejected",
      message: "Invalid player id"
    },
    {
      name: "429 in the body → Transient",
      fault: json({ code: 429, message: "Too many requests" }),
      tag: "ProviderTransient"
    },
    { name: "HTTP 429 → Transient", fault: "429", tag: "ProviderTransient" },
    {
      name: "500 in the body → Ambiguous",
      fault: json({ code: 500, message: "Unknown error" }),
      tag: "ProviderAmbiguous"
    },
    { name: "HTTP 5xx → Ambiguous", fault: "5xx", tag: "ProviderAmbiguous" },
    { name: "HTML page → Misconfigured", fault: "html", tag: "ProviderMisconfigured" },
    { name: "empty body → Ambiguous", fault: "empty", tag: "ProviderAmbiguous" },
    { name: "unparseable body → Ambiguous", fault: "garbage", tag: "ProviderAmbiguous" },
    {
      name: "truncated JSON → Ambiguous",
      fault: reply('{"status":"OK","data":{"order_'),
      tag: "ProviderAmbiguous"
    },
    { name: "no answer (timeout) → Ambiguous", fault: "hang", tag: "ProviderAmbiguous" },
    { name: "connection dropped after the request → Ambiguous", fault: "drop", tag: "ProviderAmbiguous" },
    { name: "order taken, then no answer → Ambiguous", fault: "hangAfterAccept", tag: "ProviderAmbiguous" }
  ]

  it.live.each(placeCases)("place: $name", ({ fault, tag, message }) =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject(fault, { on: "place" })
      const result = yield* Effect.result(client.place(order()))
      assert.strictEqual(outcome(result), tag)
      if (message !== undefined && Result.isFailure(result))
        assert.strictEqual(result.failure.message, message)
      assertNoSecrets(result, [sim.token])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("place: the simulator's own refusals map to the right tags", () =>
    Effect.gen(function* () {
      const { sim, client, factory } = yield* setup({ balance: 10 })
      const place = (o: ProviderOrder) => Effect.map(Effect.result(client.place(o)), outcome)
      assert.strictEqual(yield* place(order({ mapping: { sku: "999" } })), "ProviderMisconfigured")
      assert.strictEqual(yield* place(order({ mapping: { sku: "303" } })), "ProviderUnavailable")
      assert.strictEqual(yield* place(order({ quantity: 2 })), "ProviderRejected")
      assert.strictEqual(
        yield* place(order({ mapping: { sku: "202" } })),
        "ProviderRejected",
        "player_id missing"
      )
      const likee = { sku: "202", meta: { params: { playerId: "player_id" } } }
      assert.strictEqual(
        yield* place(order({ mapping: likee, quantity: 100 })),
        "ProviderUnavailable",
        "50.00 > 10"
      )
      const wrongToken = yield* factory(rowFor(sim.baseUrl, "tok-wrong-000"))
      const refused = yield* Effect.result(wrongToken.place(order()))
      assert.strictEqual(outcome(refused), "ProviderMisconfigured")
      assertNoSecrets(refused, ["tok-wrong-000", sim.token])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live(
    "place sends qty, the player id under `uid`, our order id as order_uuid, the token in api-token",
    () =>
      Effect.gen(function* () {
        const { sim, client } = yield* setup()
        const placed = yield* client.place(order({ extra: "eu-1" }))
        assert.deepStrictEqual(placed, {
          _tag: "Accepted",
          providerOrderId: "67890",
          cost: "4.55",
          message: "accepted by Barakat (order 67890, wait)"
        })
        const [request] = yield* sim.requests
        assert.strictEqual(request?.path, "/client/api/newOrder/101/params")
        assert.deepStrictEqual(request?.query, { qty: "1", uid: "5123456789", order_uuid: uuid(1) })
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("place uses the mapping's param names for the player id and the extra field", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      const mapping = { sku: "202", meta: { params: { playerId: "player_id", extra: "server" } } }
      const placed = yield* client.place(order({ mapping, quantity: 3, extra: "eu-1" }))
      assert.strictEqual(placed._tag === "Accepted" ? placed.cost : placed._tag, "1.50")
      const [request] = yield* sim.requests
      assert.deepStrictEqual(request?.query, {
        qty: "3",
        player_id: "5123456789",
        server: "eu-1",
        order_uuid: uuid(1)
      })
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("place without a mapping is Misconfigured and sends nothing", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      assert.strictEqual(
        outcome(yield* Effect.result(client.place(order({ mapping: undefined })))),
        "ProviderMisconfigured"
      )
      assert.lengthOf(yield* sim.requests, 0)
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  const entry = (fields: Record<string, unknown>) => json({ status: "OK", data: [fields] })
  const checkCases: ReadonlyArray<{
    name: string
    fault: WireFault
    known?: string
    tag: string
    pin?: string | undefined
    message?: string
  }> = [
    {
      name: "wait → Pending",
      fault: entry({ order_id: "1", order_uuid: uuid(1), status: "wait" }),
      tag: "Pending"
    },
    {
      name: "processing → Pending",
      fault: entry({ order_id: "1", order_uuid: uuid(1), status: "processing" }),
      tag: "Pending"
    },
    {
      name: "accept with a PIN → Succeeded",
      fault: entry({ order_id: "1", order_uuid: uuid(1), status: "accept", pin: "XK-99" }),
      tag: "Succeeded",
      pin: "XK-99"
    },
    {
      name: "accept without a PIN → Succeeded, no PIN",
      fault: entry({ order_id: "1", order_uuid: uuid(1), status: "accept", pin: null }),
      tag: "Succeeded",
      pin: undefined
    },
    {
      name: "reject → Failed with the note",
      fault: entry({ order_id: "1", order_uuid: uuid(1), status: "reject", note: "wrong id" }),
      tag: "Failed",
      message: "wrong id"
    },
    {
      name: "no order_uuid: matched on the provider order id",
      fault: entry({ order_id: "555", status: "accept", pin: "P-1" }),
      known: "555",
      tag: "Succeeded",
      pin: "P-1"
    },
    { name: "left out (never seen) → NotFound", fault: json({ status: "OK", data: [] }), tag: "NotFound" },
    {
      name: "left out although Barakat gave an order id → Transient, never NotFound",
      fault: json({ status: "OK", data: [] }),
      known: "555",
      tag: "ProviderTransient"
    },
    {
      name: "another order's answer only → NotFound",
      fault: entry({ order_id: "2", order_uuid: uuid(2), status: "accept" }),
      tag: "NotFound"
    },
    { name: "HTTP 5xx → Transient", fault: "5xx", tag: "ProviderTransient" },
    {
      name: "500 in the body → Transient",
      fault: json({ code: 500, message: "Unknown error" }),
      tag: "ProviderTransient"
    },
    { name: "no answer → Transient", fault: "hang", tag: "ProviderTransient" },
    { name: "garbage → Transient", fault: "garbage", tag: "ProviderTransient" },
    {
      name: "121 token error → Misconfigured",
      fault: json({ code: 121, message: "Token error" }, 401),
      tag: "ProviderMisconfigured"
    },
    { name: "HTML → Misconfigured", fault: "html", tag: "ProviderMisconfigured" }
  ]

  it.live.each(checkCases)("check: $name", ({ fault, known, tag, pin, message }) =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject(fault, { on: "check" })
      const result = yield* Effect.result(client.check(order({ providerOrderId: known })))
      assert.strictEqual(outcome(result), tag)
      if (Result.isSuccess(result) && result.success._tag === "Succeeded")
        assert.strictEqual(result.success.pin, pin)
      if (message !== undefined && Result.isSuccess(result))
        assert.strictEqual(result.success.message, message)
      assertNoSecrets(result, [sim.token])
      const [request] = yield* sim.requests
      assert.strictEqual(request?.path, "/client/api/check")
      assert.deepStrictEqual(request?.query, { orders: `[${uuid(1)}]`, uuid: "1" })
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("place → check round trip: wait, then accept with the PIN; a rejected order fails", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({ pollsBeforeFinal: 1 })
      const placed = yield* client.place(order())
      const providerOrderId = placed._tag === "Accepted" ? placed.providerOrderId : undefined
      const placedOrder = order({ providerOrderId })
      assert.strictEqual((yield* client.check(placedOrder))._tag, "Pending")
      const done = yield* client.check(placedOrder)
      assert.strictEqual(done._tag === "Succeeded" ? done.pin : done._tag, `PIN-${uuid(1)}`)

      yield* sim.script({ outcome: "failure", pollsBeforeFinal: 0 })
      const second = order({ orderId: uuid(2), reference: uuid(2) })
      yield* client.place(second)
      const failed = yield* client.check(second)
      assert.deepStrictEqual(failed, { _tag: "Failed", message: "Cancelled by provider: wrong player id" })
      assert.strictEqual((yield* client.check(order({ orderId: uuid(3) })))._tag, "NotFound")
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("the provider does not deduplicate: the same order_uuid twice is two orders", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* client.place(order())
      yield* client.place(order())
      assert.strictEqual(yield* sim.placements(uuid(1)), 2)
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("balance: a string or a number", () =>
    Effect.gen(function* () {
      const { client } = yield* setup({ balance: 43.55 })
      assert.deepStrictEqual(yield* client.balance, { balance: "43.55", currency: undefined })
      const { client: numeric } = yield* setup({ balance: 12.5, balanceAsNumber: true })
      assert.deepStrictEqual(yield* numeric.balance, { balance: "12.5", currency: undefined })
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live(
    "200 concurrent checks from forked fibers: ≤ 4 check requests of ≤ 50 ids, each fiber gets its own answer",
    () =>
      Effect.gen(function* () {
        const { sim, client: placer } = yield* setup({ pollsBeforeFinal: 0, balance: 10_000 })
        const orders = Array.from({ length: 200 }, (_, i) =>
          order({ orderId: uuid(i + 1), reference: uuid(i + 1) })
        )
        const placed = orders.filter((_, i) => i % 4 !== 3)
        yield* Effect.forEach(placed, (o) => placer.place(o), { concurrency: 10, discard: true })
        // the checking side runs with the default spacing, window and batch size
        const checker = yield* (yield* makeBarakatFactory({ checkTimeout: "5 seconds" }))(
          rowFor(sim.baseUrl, sim.token)
        )

        const fibers = yield* Effect.forEach(orders, (o) => Effect.forkScoped(checker.check(o)))
        const answers = yield* Effect.forEach(fibers, Fiber.join)

        answers.forEach((answer, i) => {
          const expected = i % 4 === 3 ? "NotFound" : `PIN-${uuid(i + 1)}`
          assert.strictEqual(
            answer._tag === "Succeeded" ? answer.pin : answer._tag,
            expected,
            `order ${i + 1}`
          )
        })
        const batches = yield* sim.checkBatches
        assert.isAtMost(batches.length, 4, `${batches.length} check requests`)
        for (const batch of batches) assert.isAtMost(batch.length, 50)
        assert.sameMembers(
          batches.flat(),
          orders.map((o) => o.orderId)
        )
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("a failed batch request fails every check in it with the same tag, none hangs", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject("5xx", { on: "check" })
      const answers = yield* Effect.forEach(
        [1, 2, 3, 4, 5],
        (n) => Effect.forkScoped(Effect.result(client.check(order({ orderId: uuid(n) })))),
        { concurrency: "unbounded" }
      ).pipe(Effect.flatMap((fibers) => Effect.forEach(fibers, Fiber.join)))
      assert.deepStrictEqual(answers.map(outcome), Array(5).fill("ProviderTransient"))
      assert.lengthOf(
        (yield* sim.requests).filter((r) => r.path === "/client/api/check"),
        1
      )
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("connection refused → Transient for a place and a check", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort)
      const factory = yield* makeBarakatFactory(fast)
      const client = yield* factory(rowFor(`http://127.0.0.1:${port}`, "tok-secret-123"))
      const placed = yield* Effect.result(client.place(order()))
      assert.strictEqual(outcome(placed), "ProviderTransient")
      assert.strictEqual(outcome(yield* Effect.result(client.check(order()))), "ProviderTransient")
      assertNoSecrets(placed, ["tok-secret-123"])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live("the token never appears in errors or debug logs", () => {
    const lines: Array<string> = []
    const capture = Logger.make(({ message, fiber }) => {
      lines.push(
        `${inspect(message)} ${inspect(Object.entries(fiber.getRef(References.CurrentLogAnnotations)))}`
      )
    })
    return Effect.gen(function* () {
      const { sim, client } = yield* setup()
      yield* sim.inject("hang", { on: "place" })
      yield* sim.inject("drop", { on: "balance" })
      const results = yield* Effect.all([
        Effect.result(client.place(order())),
        Effect.result(client.check(order())),
        Effect.result(client.balance)
      ])
      assert.deepStrictEqual(results.map(outcome), ["ProviderAmbiguous", "NotFound", "ProviderTransient"])
      assertNoSecrets(results, [sim.token])
      assert.lengthOf(lines, 3, "one debug line a call")
      assert.include(lines[1], "check")
      for (const line of lines) assert.notInclude(line, sim.token)
    }).pipe(
      Effect.provideService(References.MinimumLogLevel, "Debug"),
      Effect.provide(Logger.layer([capture, Logger.tracerLogger])),
      Effect.provide(NodeHttpClient.layerNodeHttp)
    )
  })

  it.live("≤ 10 requests a second by default: calls start ≥ 100 ms apart, even when made concurrently", () =>
    Effect.gen(function* () {
      const { sim, client } = yield* setup({}, { spacing: "100 millis" })
      yield* Effect.all(
        Array.from({ length: 12 }, () => client.balance),
        { concurrency: "unbounded" }
      )
      const times = (yield* sim.requests).map((r) => r.atMillis).sort((a, b) => a - b)
      assert.lengthOf(times, 12)
      // arrival times at the server jitter under load, so single gaps get some slack; the span may not
      const windowOfTen = times.slice(10).map((t, i) => t - times[i]!)
      for (const span of windowOfTen) assert.isAtLeast(span, 950, "no more than 10 requests within a second")
      for (let i = 1; i < times.length; i++) {
        assert.isAtLeast(times[i]! - times[i - 1]!, 50, `gap ${i}: ${times[i]! - times[i - 1]!} ms`)
      }
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )
})
