import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { send } from "../support/RawHttp.js"
import {
  engineIdle,
  engineStack,
  eventually,
  quietNode,
  routedPackage,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { adminClient, resellerWithBalance, TestServerLive } from "../support/TestServer.js"
import { type Family, type Labels, parsePrometheus, sampleValue } from "./PromParse.js"

const scrape = (authorization?: string) =>
  Effect.gen(function* () {
    const request = HttpClientRequest.get("/metrics")
    const answer = yield* send(
      authorization === undefined
        ? request
        : HttpClientRequest.setHeader(request, "authorization", authorization)
    )
    assert.strictEqual(answer.status, 200, answer.text)
    assert.strictEqual(answer.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
    return parsePrometheus(answer.text)
  })

/** How much a sample grew between two scrapes (a series absent before counts from 0). */
const delta =
  (before: Map<string, Family>, after: Map<string, Family>) =>
  (name: string, labels: Labels = {}) =>
    (sampleValue(after, name, labels) ?? Number.NaN) - (sampleValue(before, name, labels) ?? 0)

describe("GET /metrics", () => {
  it.effect("parses as Prometheus text and its counters move when orders flow through the engine", () =>
    Effect.gen(function* () {
      const before = yield* scrape()
      const admin = yield* adminClient
      yield* simulatorProvider("sim", { checksBeforeFinal: 0 })
      yield* routedPackage("pubg", { mode: "auto", primary: "sim" }, "10.00")
      yield* admin.admin.addCodes({
        params: { id: "gift" },
        payload: { codes: [{ pin: "A-1" }, { pin: "A-2" }] }
      })
      const { client } = yield* resellerWithBalance("30.00")

      const firstChecks = yield* sleepRegistered(10_000, 3)
      const create = client.orders.create({
        payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
        headers: {}
      })
      const orders = yield* Effect.all([create, create, create])
      const refused = yield* Effect.flip(create)
      assert.strictEqual(refused._tag, "InsufficientBalance")
      yield* firstChecks

      // every order is accepted and waits for its first check: three fibers, three `awaiting` outbox rows
      const during = yield* scrape()
      assert.strictEqual(sampleValue(during, "tawsil_order_fibers_in_flight"), 3)
      assert.strictEqual(sampleValue(during, "tawsil_outbox_depth", { state: "awaiting" }), 3)
      assert.strictEqual(sampleValue(during, "tawsil_outbox_depth", { state: "queued" }), 0)
      assert.isAbove(sampleValue(during, "tawsil_outbox_oldest_age_seconds") ?? -1, -1e-9)

      yield* TestClock.adjust("10 seconds")
      for (const order of orders) {
        yield* eventually(client.orders.get({ params: { id: order.id } }), (o) => o.status === "approved")
      }
      yield* engineIdle

      const after = yield* scrape()
      const grew = delta(before, after)
      assert.strictEqual(grew("tawsil_orders_created_total", { outcome: "created" }), 3)
      assert.strictEqual(grew("tawsil_orders_created_total", { outcome: "insufficient_balance" }), 1)
      assert.strictEqual(grew("tawsil_orders_created_total", { outcome: "replayed" }), 0)
      assert.strictEqual(grew("tawsil_orders_finished_total", { outcome: "approved" }), 3)
      const sim = { provider: "sim" }
      assert.strictEqual(
        grew("tawsil_dispatch_outcomes_total", { ...sim, call: "place", outcome: "Accepted" }),
        3
      )
      assert.strictEqual(
        grew("tawsil_dispatch_outcomes_total", { ...sim, call: "check", outcome: "Succeeded" }),
        3
      )
      assert.strictEqual(grew("tawsil_provider_call_duration_seconds_count", { ...sim, call: "place" }), 3)
      assert.strictEqual(grew("tawsil_provider_call_duration_seconds_count", { ...sim, call: "check" }), 3)
      // on the TestClock every check starts exactly when due
      assert.strictEqual(grew("tawsil_poll_lateness_seconds_count"), 3)
      assert.strictEqual(grew("tawsil_poll_lateness_seconds_bucket", { le: "0.001" }), 3)
      assert.strictEqual(sampleValue(after, "tawsil_order_fibers_in_flight"), 0)
      // this process's memory: resident above the V8 heap in use, itself above zero
      const heapInUse = sampleValue(after, "nodejs_heap_size_used_bytes") ?? 0
      assert.isAbove(heapInUse, 0)
      assert.isAbove(sampleValue(after, "process_resident_memory_bytes") ?? 0, heapInUse)
      assert.isAtLeast(sampleValue(after, "nodejs_heap_size_total_bytes") ?? 0, heapInUse)
      assert.strictEqual(sampleValue(after, "tawsil_outbox_depth", { state: "awaiting" }), 0)
      assert.strictEqual(sampleValue(after, "tawsil_codes_available", { group: "gift" }), 2)
      assert.strictEqual(sampleValue(after, "tawsil_codes_low_stock", { group: "gift" }), 1)
      assert.strictEqual(after.get("tawsil_provider_call_duration_seconds")?.type, "histogram")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("asks for the metrics token only when TAWSIL_METRICS_TOKEN is set", () =>
    Effect.gen(function* () {
      const refused = yield* send(HttpClientRequest.get("/metrics"))
      assert.strictEqual(refused.status, 401)
      assert.include(refused.text, '"_tag":"Unauthorized"')
      const wrong = yield* send(HttpClientRequest.get("/metrics").pipe(HttpClientRequest.bearerToken("nope")))
      assert.strictEqual(wrong.status, 401)
      const families = yield* scrape("Bearer scrape-secret")
      assert.isTrue(families.has("tawsil_orders_created_total"))
    }).pipe(
      Effect.provide(
        TestServerLive.pipe(
          Layer.provide(
            ConfigProvider.layer(ConfigProvider.fromUnknown({ TAWSIL_METRICS_TOKEN: "scrape-secret" }))
          )
        )
      )
    )
  )
})
