/**
 * Helpers of `bench/dispatch.ts`: a keep-alive HTTP client, an open-loop pacer, memory readings after a full GC,
 * and the two views of 10 s check lateness (the simulator's call times, the engine's own histogram).
 */
import type { Metric } from "effect"
import { Agent, request } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { SimulatorCall } from "../src/providers/Simulator.js"

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

export const call = (port: number, method: string, path: string, token: string, body?: unknown) =>
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

/**
 * Fires `total` calls at `rate` per second from now, each at its scheduled time whatever the previous ones are
 * doing (open loop); `send` gets the scheduled time (performance.now() ms) to measure latency from.
 */
export const openLoop = async (
  rate: number,
  total: number,
  send: (i: number, due: number) => Promise<void>
) => {
  const started = performance.now()
  const pending: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    pending.push(send(i, due))
  }
  await Promise.all(pending)
}

export const percentile = (sorted: ArrayLike<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
export const fmt = (ms: number) => `${ms.toFixed(2)} ms`
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
export const verdict = (met: boolean) => (met ? "met" : "NOT met")

/** Statuses of the creates of one phase: "201 ×19998, 503 ×2". */
export const tally = () => {
  const counts = new Map<number, number>()
  return {
    add: (status: number) => void counts.set(status, (counts.get(status) ?? 0) + 1),
    created: () => counts.get(201) ?? 0,
    text: () => [...counts].map(([status, n]) => `${status} ×${n}`).join(", ")
  }
}

// `npm run bench:dispatch` runs node without --expose-gc: turn the flag on now and take `gc` from a new context
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** Heap used and RSS after two full collections (the second sweeps what the first one's finalizers freed). */
export const memoryAfterGc = () => {
  gc()
  gc()
  const { heapUsed, heapTotal, external, rss } = process.memoryUsage()
  return { heapUsed, heapTotal, external, rss }
}

/**
 * How late each status check of `providerId`'s orders came, from the simulator's call times: the gap since the
 * previous check of the same order minus `intervalMs`, for checks made in [fromNanos, toNanos]. The engine spaces
 * checks from the END of the previous one (`Schedule.spaced`), so this includes that check's own time (the
 * provider answers at once; recording the check in Postgres does not).
 */
export const checkLateness = (
  calls: ReadonlyArray<SimulatorCall>,
  providerId: string,
  fromNanos: bigint,
  toNanos: bigint,
  intervalMs: number
) => {
  const previous = new Map<string, bigint>()
  const late: Array<number> = []
  for (const c of calls) {
    if (c.operation !== "check" || c.providerId !== providerId) continue
    const before = previous.get(c.reference)
    previous.set(c.reference, c.atNanos)
    if (before !== undefined && c.atNanos >= fromNanos && c.atNanos <= toNanos)
      late.push(Number(c.atNanos - before) / 1e6 - intervalMs)
  }
  return Float64Array.from(late).sort()
}

/**
 * The engine's own view (`tawsil_poll_lateness_seconds`: check start minus due time, the check's own time
 * excluded) between two readings of the histogram: how many checks, and the bucket bound under which p50 and p99
 * fall ("> 30 s" past the last bucket).
 */
export const histogramDelta = (before: Metric.HistogramState, after: Metric.HistogramState) => {
  const count = after.count - before.count
  const bound = (q: number) => {
    for (let i = 0; i < after.buckets.length; i++) {
      const [boundary, cumulative] = after.buckets[i]!
      if (cumulative - (before.buckets[i]?.[1] ?? 0) >= q * count)
        return `≤ ${Math.round(boundary * 1000)} ms`
    }
    return `> ${Math.round((after.buckets[after.buckets.length - 1]?.[0] ?? 0) * 1000)} ms`
  }
  return { count, p50: bound(0.5), p99: bound(0.99) }
}
