import { Data, Duration, Effect, Option, Schedule } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { connect } from "node:net"

export class ProcessTestError extends Data.TaggedError("ProcessTestError")<{ readonly message: string }> {}

/** A child process started by a test, with everything it printed so far and its exit. */
export interface Spawned {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly isRunning: () => boolean
}

/**
 * Spawns `command` in its own process group, collecting stdout and stderr. When the scope closes, anything of that
 * group still running (the command and whatever it started) is sent SIGTERM, then SIGKILL after 10 s, so a failed
 * test leaks no process.
 */
export const spawnScoped = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }
) =>
  Effect.acquireRelease(
    Effect.sync((): Spawned => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      })
      let output = ""
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal }))
      )
      return {
        child,
        output: () => output,
        exited,
        isRunning: () => child.exitCode === null && child.signalCode === null
      }
    }),
    (spawned) =>
      Effect.gen(function* () {
        const group = spawned.child.pid
        if (group === undefined || !signalGroup(group, 0)) return
        signalGroup(group, "SIGTERM")
        const stopped = yield* pollUntil("the process group to exit", "10 seconds", () =>
          signalGroup(group, 0) ? undefined : true
        ).pipe(Effect.option)
        if (Option.isNone(stopped)) signalGroup(group, "SIGKILL")
      })
  )

/** Signals every process of the group `pgid`; false when none is left. */
const signalGroup = (pgid: number, signal: NodeJS.Signals | 0) => {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/** Waits (in real time, at most `timeout`) until `check` returns a value, polling every 200 ms. */
export const pollUntil = <A>(what: string, timeout: Duration.Input, check: () => A | undefined) =>
  Effect.suspend(() => {
    const value = check()
    return value === undefined
      ? Effect.fail(new ProcessTestError({ message: `still waiting for ${what}` }))
      : Effect.succeed(value)
  }).pipe(
    Effect.retry(Schedule.spaced("200 millis")),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new ProcessTestError({
            message: `timed out after ${Duration.format(Duration.fromInputUnsafe(timeout))} waiting for ${what}`
          })
        )
    })
  )

/** Whether something accepts TCP connections on 127.0.0.1:`port` now ("refused" when nothing listens). */
export const probePort = (port: number) =>
  Effect.callback<"open" | "refused" | "other">((resume) => {
    const socket = connect({ host: "127.0.0.1", port })
    socket.setTimeout(1000)
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed("open"))
    })
    socket.once("timeout", () => {
      socket.destroy()
      resume(Effect.succeed("other"))
    })
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resume(Effect.succeed(error.code === "ECONNREFUSED" ? "refused" : "other"))
    )
  })

/** Waits (in real time, at most `timeout`) until nothing listens on `port`; fails naming `what` otherwise. */
export const awaitPortClosed = (port: number, what: string, timeout: Duration.Input) =>
  probePort(port).pipe(
    Effect.filterOrFail(
      (state) => state === "refused",
      () => new ProcessTestError({ message: `${what} still listening on port ${port}` })
    ),
    Effect.retry(Schedule.spaced("200 millis")),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new ProcessTestError({
            message: `${what} still listening on port ${port} after ${Duration.format(Duration.fromInputUnsafe(timeout))}`
          })
        )
    })
  )

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}
