/**
 * Per-provider limits (issue #17 point 4): `spacingMs`, `concurrency`, `sendTimeoutMs`, `checkTimeoutMs` in any
 * provider's `options`: checked on save, applied by the wire adapters to every request (a lane per provider and
 * limits), and the timeouts by the engine.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Result } from "effect"
import { TestClock } from "effect/testing"
import { makeBarakatFactory } from "../../src/providers/Barakat.js"
import { ProviderCallGuard } from "../../src/providers/CallGuard.js"
import type { ProviderRow } from "../../src/providers/ProviderConfigs.js"
import { ProviderConfigs } from "../../src/providers/ProviderConfigs.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { makeZnetFactory } from "../../src/providers/Znet.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import { startHoldingProxy } from "../support/HoldingProxy.js"
import {
  dispatchLogOf,
  engineStack,
  eventually,
  quietNode,
  routedPackage,
  simulatorCalls,
  sleepRegistered,
  sleepTracking
} from "../support/TestEngine.js"
import { adminClient, resellerWithBalance, TestServerLive } from "../support/TestServer.js"
import { awaitSleeps, realPause, sleepsAt } from "../support/WireEngine.js"
import { ZnetSimulator } from "../support/ZnetSimulator.js"
import { putProvider, refusals } from "../support/ProviderRequests.js"

const znetBody = (options: Record<string, unknown>) => ({
  kind: "znet",
  name: "Znet",
  baseUrl: "http://znet.test",
  credentials: { kod: "k", sifre: "s" },
  options
})
const codesBody = (options: Record<string, unknown>) => ({ kind: "codes", name: "Codes", options })
const simulatorBody = (options: Record<string, unknown>) => ({ kind: "simulator", name: "Sim", options })

describe("provider limits in options, on PUT /v1/admin/providers/{id}", () => {
  it.effect("a bad limit: 400 ValidationError naming options.<key>, for every kind; nothing stored", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, unknown, string]> = [
        ["znet, concurrency 0", znetBody({ concurrency: 0 }), "options.concurrency"],
        ["znet, concurrency 1001", znetBody({ concurrency: 1001 }), "options.concurrency"],
        ["znet, spacingMs not an integer", znetBody({ spacingMs: 1.5 }), "options.spacingMs"],
        ["znet, spacingMs over a minute", znetBody({ spacingMs: 60_001 }), "options.spacingMs"],
        ["codes, sendTimeoutMs 99", codesBody({ groupId: "g", sendTimeoutMs: 99 }), "options.sendTimeoutMs"],
        [
          "codes, checkTimeoutMs a string",
          codesBody({ groupId: "g", checkTimeoutMs: "5s" }),
          "options.checkTimeoutMs"
        ],
        [
          "simulator, sendTimeoutMs too long",
          simulatorBody({ sendTimeoutMs: 600_001 }),
          "options.sendTimeoutMs"
        ],
        ["codes, good limits but no groupId", codesBody({ concurrency: 2 }), "options.groupId"]
      ]
      assert.deepStrictEqual(
        yield* refusals(cases),
        cases.map(([name, , field]) => [name, 400, field])
      )
      const configs = yield* ProviderConfigs
      assert.deepStrictEqual(yield* configs.list, [])

      // a host calling the service directly gets the same answer
      const refused = yield* Effect.flip(configs.put("x", simulatorBody({ concurrency: -1 })))
      assert.deepStrictEqual([refused._tag, refused.field], ["ValidationError", "options.concurrency"])
    }).pipe(Effect.provide(TestServerLive))
  )

  it.effect(
    "good limits are stored next to the kind's own options and listed, for znet and codes alike",
    () =>
      Effect.gen(function* () {
        const limits = { spacingMs: 500, concurrency: 2, sendTimeoutMs: 5000, checkTimeoutMs: 3000 }
        const znet = yield* putProvider("znet", znetBody({ defaultPhone: "+905551112233", ...limits }))
        assert.strictEqual(znet.status, 200, znet.text)
        const codes = yield* putProvider("codes", codesBody({ groupId: "pubg-325", concurrency: 4 }))
        assert.strictEqual(codes.status, 200, codes.text)
        const sim = yield* putProvider("sim", simulatorBody({ outcome: "failure", spacingMs: 0 }))
        assert.strictEqual(sim.status, 200, sim.text)

        const listed = yield* (yield* adminClient).admin.listProviders()
        assert.deepStrictEqual(
          listed.map((p) => [p.id, p.options]),
          [
            ["codes", { groupId: "pubg-325", concurrency: 4 }],
            ["sim", { outcome: "failure", spacingMs: 0 }],
            ["znet", { defaultPhone: "+905551112233", ...limits }]
          ]
        )
      }).pipe(Effect.provide(TestServerLive))
  )
})

const wireRow = (
  kind: "znet" | "barakat",
  id: string,
  baseUrl: string,
  credentials: Record<string, string>,
  options: Record<string, unknown>
): ProviderRow => ({ id, kind, name: id, base_url: baseUrl, credentials, options, enabled: true })

/** A client of a Znet simulator (or Barakat's) reached through `baseUrl`, built by the real factory. */
const wireClient = (
  kind: "znet" | "barakat",
  baseUrl: string,
  id: string,
  options: Record<string, unknown>
) =>
  kind === "znet"
    ? Effect.flatMap(makeZnetFactory(), (factory) =>
        factory(wireRow(kind, id, baseUrl, { kod: "bayi-4711", sifre: "gizli-sifre-81" }, options))
      )
    : Effect.flatMap(makeBarakatFactory(), (factory) =>
        factory(wireRow(kind, id, baseUrl, { apiToken: "barakat-test-token" }, options))
      )

describe("a provider's lane: its concurrency and spacing apply to every request, on TestClock", () => {
  it.effect.each(["znet", "barakat"] as const)(
    "%s: concurrency 1 → never more than one request in flight of three started at once; without it, three",
    (kind) =>
      Effect.gen(function* () {
        const target = kind === "znet" ? (yield* ZnetSimulator.start()).baseUrl : yield* barakatBaseUrl
        const limited = yield* startHoldingProxy(target)
        const client = yield* wireClient(kind, limited.baseUrl, "p1", { spacingMs: 0, concurrency: 1 })
        const calls = yield* Effect.forkChild(
          Effect.all([client.balance, client.balance, client.balance], { concurrency: "unbounded" })
        )
        for (let answered = 0; answered < 3; answered++) {
          yield* eventually(limited.received, (n) => n >= answered + 1, `request ${answered + 1} sent`)
          yield* realPause(50)
          assert.strictEqual(yield* limited.received, answered + 1, "the others wait for the permit")
          assert.strictEqual(yield* limited.inFlight, 1)
          yield* limited.releaseOne
        }
        assert.lengthOf(yield* Fiber.join(calls), 3)
        assert.strictEqual(yield* limited.maxInFlight, 1)

        // the same provider, its limit removed: a lane of its own, no cap
        const open = yield* startHoldingProxy(target)
        const unlimited = yield* wireClient(kind, open.baseUrl, "p1", { spacingMs: 0 })
        const all = yield* Effect.forkChild(
          Effect.all([unlimited.balance, unlimited.balance, unlimited.balance], { concurrency: "unbounded" })
        )
        yield* eventually(open.inFlight, (n) => n === 3, "three requests in flight")
        yield* open.release
        assert.lengthOf(yield* Fiber.join(all), 3)
        assert.strictEqual(yield* open.maxInFlight, 3)
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.effect("spacing per provider: two Znet providers, 1 s and 3 s apart, each spaced by its own", () =>
    Effect.gen(function* () {
      const sim = yield* ZnetSimulator.start()
      const factory = yield* makeZnetFactory()
      const credentials = { kod: sim.kod, sifre: sim.sifre }
      const starts: Array<string> = []
      const started = (name: string) => ({
        beforeCall: Effect.map(Clock.currentTimeMillis, (now) => void starts.push(`${name}@${now}`))
      })
      const calls = (name: string, spacingMs: number, count: number) =>
        Effect.gen(function* () {
          const client = yield* factory(wireRow("znet", name, sim.baseUrl, credentials, { spacingMs }))
          return yield* Effect.forkChild(
            Effect.all(
              Array.from({ length: count }, () =>
                client.balance.pipe(Effect.provideService(ProviderCallGuard, started(name)))
              ),
              { concurrency: "unbounded" }
            )
          )
        })
      const fast = yield* calls("fast", 1000, 3)
      const slow = yield* calls("slow", 3000, 2)
      const startsReach = (count: number) =>
        eventually(
          Effect.sync(() => starts.length),
          (n) => n === count
        )

      yield* startsReach(2)
      yield* awaitSleeps(1000, 1)
      yield* TestClock.adjust("1 second")
      yield* startsReach(3)
      yield* awaitSleeps(2000, 1)
      yield* TestClock.adjust("1 second")
      yield* startsReach(4)
      yield* awaitSleeps(3000, 2)
      yield* TestClock.adjust("1 second")
      yield* startsReach(5)
      yield* Fiber.join(fast)
      yield* Fiber.join(slow)
      yield* realPause(50)
      assert.deepStrictEqual([...starts].sort(), ["fast@0", "fast@1000", "fast@2000", "slow@0", "slow@3000"])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp), Effect.provide(sleepTracking))
  )

  it.effect("the adapter's own request timeout is the provider's checkTimeoutMs when set", () =>
    Effect.gen(function* () {
      const sim = yield* ZnetSimulator.start()
      yield* sim.inject("hang", { on: "balance" })
      const client = yield* wireClient("znet", sim.baseUrl, "p1", { spacingMs: 0, checkTimeoutMs: 1000 })
      const call = yield* Effect.forkChild(Effect.result(client.balance))
      yield* awaitSleeps(1000, 1)
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(call)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "ProviderTransient")
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp), Effect.provide(sleepTracking))
  )
})

const barakatBaseUrl = Effect.map(
  BarakatSimulator.start({ token: "barakat-test-token" }),
  (sim) => sim.baseUrl
)

/** A simulator provider with `options` and a package routed to it; an order for it, with its reader. */
const orderTo = (options: Record<string, unknown>) =>
  Effect.gen(function* () {
    const admin = yield* adminClient
    yield* admin.admin.putProvider({
      params: { id: "sim" },
      payload: { kind: "simulator", name: "Simulator", enabled: true, options }
    })
    yield* routedPackage("pubg", { mode: "auto", primary: "sim" })
    const { client } = yield* resellerWithBalance("100.00")
    const created = yield* client.orders.create({
      payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
      headers: {}
    })
    return { created, get: client.orders.get({ params: { id: created.id } }) }
  })

const logOf = (orderId: string) =>
  Effect.map(dispatchLogOf(orderId), (log) => log.map((entry) => `${entry.action}:${entry.outcome}`))

describe("the engine's timeouts per provider, on TestClock", () => {
  it.effect("sendTimeoutMs 5000: a place never answered is ambiguous after 5 s, not the engine's 30 s", () =>
    Effect.gen(function* () {
      const simulator = yield* SimulatorProvider
      yield* simulator.inject("sim", "place", "hang")
      const timeout = yield* sleepRegistered(5_000)
      const { created, get } = yield* orderTo({ sendTimeoutMs: 5000 })
      yield* eventually(simulatorCalls("place"), (calls) => calls.length === 1)
      yield* timeout
      assert.strictEqual(yield* sleepsAt(30_000), 0, "no timer at the engine's 30 s")

      yield* TestClock.adjust("4999 millis")
      yield* realPause(50)
      assert.strictEqual((yield* get).dispatch.attempts, 0, "still waiting at 4999 ms")
      yield* TestClock.adjust("1 millis")
      const ambiguous = yield* eventually(get, (o) => o.dispatch.attempts === 1)
      assert.strictEqual(ambiguous.dispatch.state, "sending", "a timed-out send is not known to have failed")
      assert.deepStrictEqual(yield* logOf(created.id), ["send:ProviderAmbiguous"])
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("checkTimeoutMs 2000: a check never answered fails after 2 s, not the engine's 15 s", () =>
    Effect.gen(function* () {
      const simulator = yield* SimulatorProvider
      yield* simulator.inject("sim", "check", "hang")
      const { created, get } = yield* orderTo({ checkTimeoutMs: 2000 })
      yield* eventually(get, (o) => o.dispatch.state === "awaiting")
      yield* awaitSleeps(10_000, 1)
      const timeout = yield* sleepRegistered(12_000)
      yield* TestClock.adjust("10 seconds")
      yield* eventually(simulatorCalls("check"), (calls) => calls.length === 1)
      yield* timeout
      assert.strictEqual(yield* sleepsAt(25_000), 0, "no timer at the engine's 15 s")

      yield* TestClock.adjust("2 seconds")
      yield* eventually(logOf(created.id), (log) => log.length === 2)
      assert.deepStrictEqual(yield* logOf(created.id), ["send:Accepted", "check:ProviderTransient"])
      assert.strictEqual((yield* get).status, "pending")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )
})
