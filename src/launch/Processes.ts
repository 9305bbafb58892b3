import { Config, Duration, Effect, Layer, Redacted, Schedule, Schema } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import { DatabaseUrl } from "../db/Database.js"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import { AdminToken } from "../http/AdminToken.js"

/**
 * One service, several Node processes (`TAWSIL_PROCESSES`, default 1): the first (the primary) owns the
 * embedded Postgres, the migrations, the admin token and the demo data, then starts the others with its database
 * URL. Every process serves the same port (SO_REUSEPORT: the kernel spreads connections) and runs intake and an
 * engine; the engines share the database as separate nodes do (leases, fences), so a process that dies is like a
 * node that dies: its orders are taken over when its lease expires, and the primary starts it again.
 *
 * The default is one process: on a 2-core box that also runs Postgres, a second process bought no throughput
 * (peak 1,231 creates/s with two, 1,370 with one, in one bench-peers run) and doubled the create p99 at 150/s.
 * Give more where Node has cores of its own (Postgres elsewhere).
 */
export const processCount = Config.schema(
  Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 64 })),
  "TAWSIL_PROCESSES"
).pipe(Config.withDefault(1))

/** Set by the primary in the processes it starts: their index, 1 … N-1. */
const indexVariable = "TAWSIL_PROCESS_INDEX"

export const processIndex = Config.Int(indexVariable).pipe(Config.withDefault(0))

/** Whether this process shares its port with others: it must then listen with `reusePort`. */
export const sharesPort = Effect.map(
  Config.all({ count: processCount, index: processIndex }),
  ({ count, index }) => count > 1 || index > 0
)

interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

const ended = (child: ChildProcess) =>
  Effect.callback<Ended>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resume(Effect.succeed({ code: child.exitCode, signal: child.signalCode }))
      return
    }
    child.once("exit", (code, signal) => resume(Effect.succeed({ code, signal })))
  })

/** SIGTERM (the child drains like the primary), then SIGKILL if it is still there after `within`. */
const stop = (child: ChildProcess, within: Duration.Duration) =>
  child.exitCode !== null || child.signalCode !== null
    ? Effect.void
    : Effect.sync(() => child.kill("SIGTERM")).pipe(
        Effect.andThen(ended(child)),
        Effect.timeout(within),
        Effect.catchTag("TimeoutError", () => Effect.sync(() => child.kill("SIGKILL"))),
        Effect.asVoid
      )

/** One run of the child at `index`, stopped with the primary's scope; succeeds with how it ended. */
const runOnce = (index: number, env: NodeJS.ProcessEnv, stopWithin: Duration.Duration) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      fork(process.argv[1]!, process.argv.slice(2), {
        env: { ...env, [indexVariable]: String(index) },
        stdio: ["inherit", "inherit", "inherit", "ipc"]
      })
    ),
    ended,
    (child) => stop(child, stopWithin)
  )

/** Restarts after an exit: 1 s, doubled after each exit that came within a minute of its start, up to 30 s. */
const keepRunning = (index: number, env: NodeJS.ProcessEnv, stopWithin: Duration.Duration) => {
  const loop = (quickExits: number): Effect.Effect<never> =>
    Effect.gen(function* () {
      const startedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const end = yield* runOnce(index, env, stopWithin)
      const lived = (yield* Effect.clockWith((clock) => clock.currentTimeMillis)) - startedAt
      const quick = lived < 60_000 ? quickExits + 1 : 0
      const delay = Duration.millis(Math.min(30_000, 1_000 * 2 ** Math.max(0, quick - 1)))
      yield* Effect.logWarning("a process of the service exited; starting it again").pipe(
        Effect.annotateLogs({ processIndex: index, code: end.code, signal: end.signal, restartIn: delay })
      )
      yield* Effect.sleep(delay)
      return yield* loop(quick)
    })
  return loop(0)
}

/**
 * In the primary: starts and supervises the other processes once the database is migrated and the admin token
 * exists (both are needed before they can start). They get the database URL and no demo seeding.
 */
export const OtherProcessesLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const count = yield* processCount
    if ((yield* processIndex) > 0 || count === 1) return
    const url = yield* DatabaseUrl
    yield* AdminToken
    const { shutdownGrace } = yield* DispatchConfig
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: Redacted.value(url),
      TAWSIL_DEMO: "false",
      TAWSIL_PROCESSES: String(count)
    }
    const stopWithin = Duration.sum(shutdownGrace, Duration.seconds(5))
    for (let index = 1; index < count; index++) {
      yield* Effect.forkScoped(keepRunning(index, env, stopWithin))
    }
    yield* Effect.logInfo("service processes started").pipe(Effect.annotateLogs({ processes: count }))
  })
)

/**
 * In a process the primary started: completes when the primary goes away (killed, crashed), noticed by the parent
 * pid changing (checked every second; the IPC channel's "disconnect" is not seen under every loader, tsx). `main.ts`
 * races the service against it, so the process then shuts down as on SIGTERM: the engine releases its orders and
 * the next primary takes them over at once. Never completes in the primary.
 */
export const primaryGone: Effect.Effect<void> = Effect.gen(function* () {
  if ((yield* Effect.orDie(processIndex)) === 0) return yield* Effect.never
  const primary = process.ppid
  yield* Effect.sync(() => process.ppid !== primary).pipe(
    Effect.repeat({ schedule: Schedule.spaced("1 second"), until: (gone) => gone })
  )
  yield* Effect.logWarning("the primary process is gone; shutting down")
})
