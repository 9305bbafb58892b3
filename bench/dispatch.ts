/**
 * `npm run bench:dispatch`: the engine's own latencies, in one process with the real HTTP server, the real engine
 * and an instant in-process simulator, on an embedded Postgres.
 *   1. create → first `place` call, at a fixed 500 creates/s (target p50 ≤ 1 ms, p99 ≤ 10 ms)
 *   2. 20,000 orders in flight that stay pending: RSS and how late the 10 s checks run (≤ 300 MB, p99 ≤ 1 s)
 * Flags: --rate 500 --seconds 10 --inflight 20000 --watch 35
 */
import { NodeHttpServer } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Clock, Duration, Effect, Layer, Redacted, References } from "effect"
import { mkdtempSync } from "node:fs"
import { Agent, createServer, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { writeHeapSnapshot } from "node:v8"
import { startEmbeddedPostgres } from "../src/db/EmbeddedPostgres.js"
import { MigrationsLive } from "../src/db/Migrations.js"
import { DispatchConfig } from "../src/dispatch/DispatchConfig.js"
import { AdminToken } from "../src/http/AdminToken.js"
import { HttpLive, ServicesWithEngineLive } from "../src/http/Server.js"
import { SimulatorProvider } from "../src/providers/Simulator.js"

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    inflight: { type: "string", default: "20000" },
    watch: { type: "string", default: "35" }
  }
})
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const inflight = Number(values.inflight)
const watchSeconds = Number(values.watch)
const adminToken = "bench-admin"

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const call = (port: number, method: string, path: string, token: string, body?: unknown) =>
  new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { "content-type": "application/json" } : {})
        }
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || "{}") })
        )
      }
    )
    req.on("error", reject)
    req.end(payload)
  })

const nowNanos = () => Effect.runSync(Clock.currentTimeNanos)
const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const fmt = (ms: number) => `${ms.toFixed(2)} ms`

const program = Effect.gen(function* () {
  const simulator = yield* SimulatorProvider
  const port = Number(process.env.BENCH_PORT)
  const setup = async () => {
    await call(port, "PUT", "/v1/admin/providers/instant", adminToken, {
      kind: "simulator",
      name: "Instant",
      enabled: true,
      options: { sendLatencyMs: 0, checksBeforeFinal: 10000 }
    })
    await call(port, "PUT", "/v1/admin/packages/bench", adminToken, {
      name: "Bench",
      price: "1.00",
      currency: "USD",
      enabled: true,
      route: { mode: "auto", primary: "instant" },
      mappings: {}
    })
    const account = await call(port, "POST", "/v1/admin/accounts", adminToken, {
      name: "Bench",
      currency: "USD"
    })
    const id = (account.json.account as { id: string }).id
    await call(port, "POST", `/v1/admin/accounts/${id}/credit`, adminToken, { amount: "10000000.00" })
    return account.json.apiKey as string
  }
  const key = yield* Effect.promise(setup)
  const create = (i: number) =>
    call(port, "POST", "/v1/orders", key, { packageId: "bench", playerId: `p${i}` })

  // 1. create → first place, open loop at a fixed rate
  const sentAt = new Map<string, bigint>()
  const phase1 = async () => {
    const total = rate * seconds
    const started = performance.now()
    const pending: Array<Promise<void>> = []
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const t0 = nowNanos()
      pending.push(
        create(i).then(
          (res) =>
            void (
              res.status === 201 &&
              sentAt.set(String((res.json.dispatch as { reference: string }).reference), t0)
            )
        )
      )
    }
    await Promise.all(pending)
  }
  yield* Effect.promise(phase1)
  yield* Effect.sleep("500 millis")
  const places = new Map(
    (yield* simulator.calls).filter((c) => c.operation === "place").map((c) => [c.reference, c.atNanos])
  )
  const latencies = [...sentAt]
    .flatMap(([ref, t0]) => (places.has(ref) ? [Number(places.get(ref)! - t0) / 1e6] : []))
    .sort((a, b) => a - b)
  console.log(
    `\n1. create → first place at ${rate}/s for ${seconds} s: ${latencies.length}/${sentAt.size} placed`
  )
  console.log(
    `   p50 ${fmt(percentile(latencies, 50))}  p90 ${fmt(percentile(latencies, 90))}  p99 ${fmt(percentile(latencies, 99))}  max ${fmt(latencies[latencies.length - 1] ?? NaN)}   (target p50 ≤ 1 ms, p99 ≤ 10 ms)`
  )

  // 2. many orders in flight, polled every 10 s
  const phase2 = async () => {
    let next = 0
    const worker = async () => {
      while (next < inflight) await create(1_000_000 + next++)
    }
    await Promise.all(Array.from({ length: 32 }, worker))
  }
  const t2 = performance.now()
  yield* Effect.promise(phase2)
  console.log(
    `\n2. ${inflight} orders created in ${((performance.now() - t2) / 1000).toFixed(1)} s; watching the 10 s checks for ${watchSeconds} s`
  )
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    gc()
    const { heapUsed, rss } = process.memoryUsage()
    if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT)
    console.log(
      `   after GC: heap ${(heapUsed / 1024 / 1024).toFixed(0)} MB, RSS ${(rss / 1024 / 1024).toFixed(0)} MB`
    )
  }
  let peakRss = 0
  const sampleRss = Effect.sync(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)))
  yield* sampleRss.pipe(Effect.andThen(Effect.sleep("1 second")), Effect.repeat({ times: watchSeconds }))
  const calls = yield* simulator.calls
  const byRef = new Map<string, Array<bigint>>()
  for (const c of calls)
    if (!sentAt.has(c.reference)) byRef.set(c.reference, [...(byRef.get(c.reference) ?? []), c.atNanos])
  const lateness: Array<number> = []
  for (const times of byRef.values())
    for (let i = 1; i < times.length; i++) lateness.push(Number(times[i]! - times[i - 1]!) / 1e6 - 10_000)
  lateness.sort((a, b) => a - b)
  console.log(
    `   checks measured: ${lateness.length}; lateness p50 ${fmt(percentile(lateness, 50))}  p99 ${fmt(percentile(lateness, 99))}  max ${fmt(lateness[lateness.length - 1] ?? NaN)}   (target p99 ≤ 1 s)`
  )
  console.log(
    `   peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (target ≤ 300 MB; the process also runs the load driver)`
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
    Layer.provideMerge(Layer.mergeAll(ServicesWithEngineLive, AdminToken.layer(Redacted.make(adminToken)))),
    Layer.provide(DispatchConfig.layer({ pollInterval: Duration.seconds(10) })),
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
