import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Logger, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { jsonLogger, logFormatConfig } from "../../src/observability/Logging.js"
import {
  engineIdle,
  engineStack,
  eventually,
  quietNode,
  routedPackage,
  simulatorProvider
} from "../support/TestEngine.js"
import { adminClient, resellerWithBalance, testAdminToken } from "../support/TestServer.js"

/** The JSON logger, writing into `lines` instead of the console (in place of the default logger; the tracer's is kept). */
const capture = (lines: Array<string>) =>
  Logger.layer([Logger.map(jsonLogger, (line) => void lines.push(line)), Logger.tracerLogger])

const parse = (lines: ReadonlyArray<string>) =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>)

describe("JSON logs", () => {
  it.effect(
    "every line is one JSON object with a module; engine lines carry the order id; no secret leaks",
    () => {
      const lines: Array<string> = []
      return Effect.gen(function* () {
        const admin = yield* adminClient
        yield* simulatorProvider("sim", { checksBeforeFinal: 0 })
        yield* routedPackage("pubg", { mode: "auto", primary: "sim" }, "10.00")
        yield* routedPackage("by-hand", { mode: "manual" }, "5.00")
        const { client, apiKey } = yield* resellerWithBalance("15.00")
        const order = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        yield* eventually(
          client.orders.get({ params: { id: order.id } }),
          (o) => o.dispatch.state === "awaiting"
        )
        yield* TestClock.adjust("10 seconds")
        yield* eventually(client.orders.get({ params: { id: order.id } }), (o) => o.status === "approved")
        yield* engineIdle
        const manual = yield* client.orders.create({
          payload: { packageId: "by-hand", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        yield* eventually(
          client.orders.get({ params: { id: manual.id } }),
          (o) => o.dispatch.state === "manual"
        )
        yield* admin.admin.reject({ params: { id: manual.id }, payload: {} })

        const entries = parse(lines)
        assert.isAbove(entries.length, 3)
        for (const entry of entries) {
          assert.isString(entry["module"], JSON.stringify(entry))
          assert.isString(entry["time"])
          assert.isString(entry["level"])
          assert.isDefined(entry["message"])
        }
        const about = (message: string) => entries.filter((e) => e["message"] === message)
        const created = about("order created").filter((e) => e["orderId"] === order.id)
        assert.strictEqual(created.length, 1)
        assert.strictEqual(created[0]!["module"], "Orders")
        assert.strictEqual(created[0]!["orderId"], order.id)
        const finished = about("order finished in the engine").filter((e) => e["orderId"] === order.id)
        assert.strictEqual(finished.length, 1)
        assert.strictEqual(finished[0]!["module"], "OrderFiber")
        assert.strictEqual(finished[0]!["orderId"], order.id)
        assert.strictEqual(finished[0]!["outcome"], "approved")
        assert.match(String(finished[0]!["time"]), /^1970-01-01T00:00:10/, "the time is the Clock's")
        const engineLines = entries.filter((e) => e["module"] === "OrderFiber")
        assert.isAbove(engineLines.length, 1)
        assert.isTrue(engineLines.every((e) => e["orderId"] === order.id || e["orderId"] === manual.id))
        const operator = about("operator action")
        assert.strictEqual(operator[0]?.["module"], "OperatorActions")
        assert.strictEqual(operator[0]?.["orderId"], manual.id)
        const text = lines.join("\n")
        assert.notInclude(text, apiKey)
        assert.notInclude(text, testAdminToken)
      }).pipe(Effect.provide(engineStack(quietNode)), Effect.provide(capture(lines)))
    }
  )

  it.effect(
    "redacts Redacted values, writes BigInts, keeps reserved keys apart, takes the module from the span",
    () => {
      const lines: Array<string> = []
      return Effect.gen(function* () {
        yield* Effect.logWarning("credentials saved").pipe(
          Effect.annotateLogs({ password: Redacted.make("hunter2"), balance: 10n, level: "mine" }),
          Effect.withSpan("Accounts.create")
        )
        yield* Effect.logError("failed", new Error("boom"))
        const [saved, failed] = parse(lines)
        assert.strictEqual(saved!["module"], "Accounts")
        assert.strictEqual(saved!["level"], "WARN")
        assert.strictEqual(saved!["_level"], "mine")
        assert.strictEqual(saved!["password"], "<redacted>")
        assert.strictEqual(saved!["balance"], "10")
        assert.isString(saved!["traceId"])
        assert.notInclude(lines[0]!, "hunter2")
        assert.strictEqual(failed!["module"], "tawsil")
        assert.include(String(failed!["message"]), "failed")
      }).pipe(Effect.provide(capture(lines)))
    }
  )

  it.effect("TAWSIL_LOG_FORMAT picks the format; unset, a terminal gets pretty and anything else json", () =>
    Effect.gen(function* () {
      const withProvider = (isTerminal: boolean, provider: ConfigProvider.ConfigProvider) =>
        Effect.provideService(logFormatConfig(isTerminal), ConfigProvider.ConfigProvider, provider)
      const empty = ConfigProvider.fromUnknown({})
      assert.strictEqual(yield* withProvider(true, empty), "pretty")
      assert.strictEqual(yield* withProvider(false, empty), "json")
      const set = ConfigProvider.fromUnknown({ TAWSIL_LOG_FORMAT: "json" })
      assert.strictEqual(yield* withProvider(true, set), "json")
      const bad = ConfigProvider.fromUnknown({ TAWSIL_LOG_FORMAT: "xml" })
      assert.isTrue((yield* Effect.result(withProvider(true, bad)))._tag === "Failure")
    })
  )
})
