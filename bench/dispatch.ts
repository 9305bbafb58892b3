/**
 * `npm run bench:dispatch`: the engine's own latencies and memory, in one process with the real HTTP server, the
 * real engine and an instant in-process simulator, on an embedded Postgres.
 *   1. create → first `place` call, at a fixed 500 creates/s (target p50 ≤ 1 ms, p99 ≤ 10 ms); these orders settle
 *      at their first check, 10 s later, and the run waits for them to finish before phase 2
 *   2. 20,000 orders that stay pending, checked every 10 s: heap and RSS after GC per order in flight (against a
 *      baseline taken just before they are created), then a watch while creates go on at 200/s (orders that
 *      settle at their first check): peak RSS (≤ 300 MB) and how late the 10 s checks come (p99 ≤ 1 s)
 * Flags: --rate 500 --seconds 10 --inflight 20000 --watch 35 --watch-rate 200 --heap-snapshot
 * (--heap-snapshot writes V8 heap snapshots at the baseline and with the orders in flight, into the OS temp dir)
 */
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Clock, Duration, Effect, Fiber, Layer, Metric, Redacted, References } from "effect"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { writeHeapSnapshot } from "node:v8"
import { startEmbeddedPostgres } from "../src/db/EmbeddedPostgres.js"
import { MigrationsLive } from "../src/db/Migrations.js"
import { Dispatcher } from "../src/dispatch/Dispatcher.js"
import { AccountRateLimit } from "../src/http/AccountRateLimit.js"
import { AdminToken } from "../src/http/AdminToken.js"
import { layer as tawsilLayer } from "../src/embed/TawsilLayer.js"
import { HttpLive } from "../src/http/Server.js"
import { pollLateness } from "../src/observability/Metrics.js"
import { SimulatorProvider } from "../src/providers/Simulator.js"
import * as B from "./dispatchSupport.js"

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    inflight: { type: "string", default: "20000" },
    watch: { type: "string", default: "35" },
    "watch-rate": { type: "string", default: "200" },
    "heap-snapshot": { type: "boolean", default: false }
  }
})
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const inflight = Number(values.inflight)
const watchSeconds = Number(values.watch)
const watchRate = Number(values["watch-rate"])
const adminToken = "bench-admin"
const pollIntervalMs = 10_000

const nowNanos = () => Effect.runSync(Clock.currentTimeNanos)
const snapshot = (label: string) => {
  if (!values["heap-snapshot"]) return
  const file = writeHeapSnapshot(join(tmpdir(), `tawsil-dispatch-${inflight}-${label}.heapsnapshot`))
  console.log(`   heap snapshot: ${file}`)
}

/** Two simulated providers: "instant" keeps its orders pending (checked for ever), "settling" settles at once. */
const setup = async (port: number) => {
  for (const [id, checksBeforeFinal, packageId] of [
    ["instant", 10000, "bench"],
    ["settling", 0, "bench-settling"]
  ] as const) {
    await B.call(port, "PUT", `/v1/admin/providers/${id}`, adminToken, {
      kind: "simulator",
      name: id,
      enabled: true,
      options: { sendLatencyMs: 0, checksBeforeFinal }
    })
    await B.call(port, "PUT", `/v1/admin/packages/${packageId}`, adminToken, {
      name: packageId,
      price: "1.00",
      currency: "USD",
      enabled: true,
      route: { mode: "auto", primary: id },
      mappings: {}
    })
  }
  const account = await B.call(port, "POST", "/v1/admin/accounts", adminToken, {
    name: "Bench",
    currency: "USD"
  })
  const id = (account.json.account as { id: string }).id
  await B.call(port, "POST", `/v1/admin/accounts/${id}/credit`, adminToken, { amount: "10000000.00" })
  return account.json.apiKey as string
}

const program = Effect.gen(function* () {
  const simulator = yield* SimulatorProvider
  const dispatcher = yield* Dispatcher
  const port = Number(process.env.BENCH_PORT)
  const key = yield* Effect.promise(() => setup(port))
  const create = (i: number, packageId: string) =>
    B.call(port, "POST", "/v1/orders", key, { packageId, playerId: `p${i}` })

  // 1. create → first place, open loop at a fixed rate
  const sentAt = new Map<string, bigint>()
  const statuses1 = B.tally()
  yield* Effect.promise(() =>
    B.openLoop(rate, rate * seconds, (i) => {
      const t0 = nowNanos()
      return create(i, "bench-settling").then((res) => {
        statuses1.add(res.status)
        if (res.status === 201) sentAt.set(String((res.json.dispatch as { reference: string }).reference), t0)
      })
    })
  )
  yield* Effect.sleep("500 millis")
  const places = new Map(
    (yield* simulator.calls).filter((c) => c.operation === "place").map((c) => [c.reference, c.atNanos])
  )
  const latencies = [...sentAt]
    .flatMap(([ref, t0]) => (places.has(ref) ? [Number(places.get(ref)! - t0) / 1e6] : []))
    .sort((a, b) => a - b)
  console.log(
    `\n1. create → first place at ${rate}/s for ${seconds} s: ${latencies.length}/${sentAt.size} placed (${statuses1.text()})`
  )
  console.log(
    `   p50 ${B.fmt(B.percentile(latencies, 50))}  p90 ${B.fmt(B.percentile(latencies, 90))}  p99 ${B.fmt(B.percentile(latencies, 99))}  max ${B.fmt(latencies[latencies.length - 1] ?? NaN)}   (target p50 ≤ 1 ms, p99 ≤ 10 ms)`
  )

  // 2. the baseline: phase 1's orders settle at their first check; wait until no order fiber is left
  const waitFrom = performance.now()
  while ((yield* dispatcher.inFlight) > 0 && performance.now() - waitFrom < 60_000)
    yield* Effect.sleep("200 millis")
  const fibers0 = yield* dispatcher.inFlight
  const base = B.memoryAfterGc()
  console.log(
    `\n2. baseline (${fibers0} order fibers, after ${((performance.now() - waitFrom) / 1000).toFixed(1)} s): heap ${B.mb(base.heapUsed)} (of ${B.mb(base.heapTotal)} reserved), external ${B.mb(base.external)}, RSS ${B.mb(base.rss)} after GC`
  )
  snapshot("baseline")

  // many orders in flight (pending for ever), created as fast as 32 connections go
  const statuses2 = B.tally()
  const t2 = performance.now()
  yield* Effect.promise(async () => {
    let next = 0
    const worker = async () => {
      while (next < inflight) statuses2.add((await create(1_000_000 + next++, "bench")).status)
    }
    await Promise.all(Array.from({ length: 32 }, worker))
  })
  console.log(
    `   ${statuses2.created()}/${inflight} orders created in ${((performance.now() - t2) / 1000).toFixed(1)} s (${statuses2.text()})`
  )
  const held = (yield* dispatcher.inFlight) - fibers0
  const loaded = B.memoryAfterGc()
  const perOrder = (bytes: number) => `${B.kb(bytes / Math.max(1, held))}/order`
  console.log(
    `   ${held} order fibers in flight; after GC: heap ${B.mb(loaded.heapUsed)} (of ${B.mb(loaded.heapTotal)}), external ${B.mb(loaded.external)}, RSS ${B.mb(loaded.rss)}` +
      ` → heap ${perOrder(loaded.heapUsed - base.heapUsed)}, RSS ${perOrder(loaded.rss - base.rss)} over the baseline`
  )
  snapshot("inflight")

  // the watch: checks of the pending orders while creates go on at a fixed rate (orders that settle)
  console.log(`   watching the 10 s checks for ${watchSeconds} s while creating ${watchRate}/s`)
  const lateBefore = yield* Metric.value(pollLateness)
  let peakRss = 0
  const sampleRss = Effect.sync(() => void (peakRss = Math.max(peakRss, process.memoryUsage.rss())))
  const sampling = yield* Effect.forkChild(
    Effect.forever(Effect.andThen(sampleRss, Effect.sleep("250 millis")))
  )
  const watchFrom = nowNanos()
  const statuses3 = B.tally()
  const createLatency: Array<number> = []
  yield* Effect.promise(() =>
    B.openLoop(watchRate, Math.round(watchRate * watchSeconds), (i, due) =>
      create(2_000_000 + i, "bench-settling").then((res) => {
        statuses3.add(res.status)
        createLatency.push(performance.now() - due)
      })
    )
  )
  const watchTo = nowNanos()
  yield* Fiber.interrupt(sampling)
  const lateAfter = yield* Metric.value(pollLateness)
  const fibersEnd = yield* dispatcher.inFlight
  createLatency.sort((a, b) => a - b)
  console.log(
    `   creates meanwhile: ${statuses3.created()}/${createLatency.length} (${statuses3.text()}), latency p50 ${B.fmt(B.percentile(createLatency, 50))}  p99 ${B.fmt(B.percentile(createLatency, 99))}; ${fibersEnd} order fibers at the end`
  )
  const lateness = B.checkLateness(yield* simulator.calls, "instant", watchFrom, watchTo, pollIntervalMs)
  const p99 = B.percentile(lateness, 99)
  console.log(
    `   check lateness (gap between two checks of an order − 10 s), ${lateness.length} checks: p50 ${B.fmt(B.percentile(lateness, 50))}  p99 ${B.fmt(p99)}  max ${B.fmt(lateness[lateness.length - 1] ?? NaN)}   (target p99 ≤ 1 s: ${B.verdict(p99 <= 1000)})`
  )
  const engine = B.histogramDelta(lateBefore, lateAfter)
  console.log(
    `   engine's tawsil_poll_lateness_seconds meanwhile (start − due, the check's own time excluded), ${engine.count} checks: p50 ${engine.p50}, p99 ${engine.p99}`
  )
  const peakRun = process.resourceUsage().maxRSS * 1024
  console.log(
    `   peak RSS during the watch ${B.mb(peakRss)} (target ≤ 300 MB with 20,000 in flight: ${inflight < 20_000 ? "not judged below 20,000" : B.verdict(peakRss <= 300 * 1024 * 1024)}); whole run ${B.mb(peakRun)}` +
      ` (one process: service, load driver, simulator${values["heap-snapshot"] ? ", heap snapshots" : ""})`
  )
})

const main = Effect.gen(function* () {
  const dataDir = mkdtempSync(join(tmpdir(), "tawsil-bench-dispatch-"))
  const pg = yield* startEmbeddedPostgres({
    dataDir,
    port: 54000 + Math.floor(Math.random() * 1000),
    ephemeral: true
  })
  const port = 41000 + Math.floor(Math.random() * 1000)
  process.env.BENCH_PORT = String(port)
  const stack = HttpLive.pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" })),
    Layer.provideMerge(
      Layer.mergeAll(
        tawsilLayer({ dispatch: { pollInterval: Duration.millis(pollIntervalMs) } }).pipe(
          Layer.provide(NodeHttpClient.layerNodeHttp)
        ),
        AdminToken.layer(Redacted.make(adminToken)),
        // one account drives the whole load: no per-account create limit (as bench:create and chaos)
        AccountRateLimit.layer({ perSecond: 0, burst: 1 })
      )
    ),
    Layer.provideMerge(
      MigrationsLive.pipe(Layer.provideMerge(PgClient.layer({ url: pg.url, maxConnections: 20 })))
    )
  )
  yield* program.pipe(Effect.provide(stack))
}).pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn"))

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
