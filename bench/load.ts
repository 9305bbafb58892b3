/**
 * The load driver: an open-loop fixed-rate phase and a closed-loop "as fast as it can" phase over one undici Pool of
 * keep-alive connections. Latencies are in milliseconds; the fixed-rate phase measures each one from the request's
 * scheduled send time, so a stalled server (or driver) shows up in the percentiles instead of hiding (no
 * coordinated omission).
 */
import { performance } from "node:perf_hooks"
import { Pool } from "undici"

/** One request to send: which account (index into the caller's accounts) and its Authorization header. */
export interface Target {
  readonly index: number
  readonly authorization: string
}

export interface PhaseResult {
  readonly requests: number
  readonly created: number
  /** Non-201 answers by status, and transport failures as `net:<code>`. */
  readonly errors: Record<string, number>
  /** Sorted ascending, ms. */
  readonly latencies: Float64Array
  readonly durationMs: number
  /** The latest the driver fired a request after its scheduled time (fixed rate only), ms. */
  readonly maxSendLagMs: number
  /** A few error bodies, to show what went wrong. */
  readonly samples: ReadonlyArray<string>
}

export interface Driver {
  /** Sends one create; resolves with the status (0 on a transport error) and, for errors, the body. */
  readonly send: (target: Target) => Promise<{ status: number; error?: string }>
  readonly close: () => Promise<void>
}

export const makeDriver = (origin: string, connections: number, idempotencyKeys: boolean): Driver => {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: 30_000,
    bodyTimeout: 30_000
  })
  let seq = 0
  const send = async (target: Target) => {
    const n = ++seq
    const headers: Record<string, string> = {
      authorization: target.authorization,
      "content-type": "application/json"
    }
    if (idempotencyKeys) headers["idempotency-key"] = `bench-${process.pid}-${n}`
    try {
      const response = await pool.request({
        origin,
        path: "/v1/orders",
        method: "POST",
        headers,
        body: `{"packageId":"bench","playerId":"${5_550_000 + (n % 100_000)}"}`
      })
      if (response.statusCode === 201) {
        await response.body.dump()
        return { status: 201 }
      }
      return { status: response.statusCode, error: await response.body.text() }
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? (cause as Error).name
      return { status: 0, error: `net:${code}` }
    }
  }
  return { send, close: () => pool.close() }
}

/** Counts results and latencies; `onCreated` is told about every 201, for the balance check. */
class Recorder {
  requests = 0
  created = 0
  errors: Record<string, number> = {}
  samples: Array<string> = []
  latencies: Array<number> = []

  constructor(
    private readonly record: boolean,
    private readonly onCreated: (index: number) => void
  ) {}

  add(target: Target, outcome: { status: number; error?: string }, latencyMs: number) {
    if (outcome.status === 201) this.onCreated(target.index)
    if (!this.record) return
    this.requests++
    this.latencies.push(latencyMs)
    if (outcome.status === 201) {
      this.created++
      return
    }
    const key = outcome.status === 0 ? (outcome.error ?? "net:?") : String(outcome.status)
    this.errors[key] = (this.errors[key] ?? 0) + 1
    if (this.samples.length < 3) this.samples.push(`${key} ${(outcome.error ?? "").slice(0, 200)}`)
  }

  result(durationMs: number, maxSendLagMs: number): PhaseResult {
    return {
      requests: this.requests,
      created: this.created,
      errors: this.errors,
      latencies: Float64Array.from(this.latencies).sort(),
      durationMs,
      maxSendLagMs,
      samples: this.samples
    }
  }
}

export interface PhaseOptions {
  readonly driver: Driver
  /** Picks the target of the i-th request of the phase (round-robin over the scenario's accounts). */
  readonly target: (i: number) => Target
  readonly seconds: number
  /** false for warm-up: send, but keep no statistics. */
  readonly record: boolean
  readonly onCreated: (index: number) => void
}

/** Open loop: request i is due at start + i / rate, whether or not earlier ones have been answered. */
export const fixedRate = (options: PhaseOptions & { readonly rate: number }): Promise<PhaseResult> =>
  new Promise((resolve) => {
    const recorder = new Recorder(options.record, options.onCreated)
    const interval = 1000 / options.rate
    const total = Math.round(options.rate * options.seconds)
    const inFlight = new Set<Promise<void>>()
    const start = performance.now() + 1
    let next = 0
    let maxLag = 0
    const fire = (i: number, due: number) => {
      const target = options.target(i)
      const p = options.driver.send(target).then((outcome) => {
        recorder.add(target, outcome, performance.now() - due)
        inFlight.delete(p)
      })
      inFlight.add(p)
    }
    const tick = () => {
      const now = performance.now()
      while (next < total && start + next * interval <= now) {
        const due = start + next * interval
        maxLag = Math.max(maxLag, now - due)
        fire(next, due)
        next++
      }
      if (next < total) {
        setTimeout(tick, Math.max(0, start + next * interval - performance.now()))
      } else {
        void Promise.all(inFlight).then(() => resolve(recorder.result(performance.now() - start, maxLag)))
      }
    }
    setTimeout(tick, 1)
  })

/** Closed loop: `concurrency` workers, each sending its next request as soon as the previous one is answered. */
export const closedLoop = async (options: PhaseOptions & { readonly concurrency: number }) => {
  const recorder = new Recorder(options.record, options.onCreated)
  const start = performance.now()
  const deadline = start + options.seconds * 1000
  let i = 0
  const worker = async () => {
    while (performance.now() < deadline) {
      const target = options.target(i++)
      const sent = performance.now()
      const outcome = await options.driver.send(target)
      recorder.add(target, outcome, performance.now() - sent)
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return recorder.result(performance.now() - start, 0)
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
