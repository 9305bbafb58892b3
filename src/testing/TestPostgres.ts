import { PgClient } from "@effect/sql-pg"
import { Config, Duration, Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { freePort } from "./Loopback.js"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startEmbeddedPostgres } from "../db/EmbeddedPostgres.js"

/**
 * The pool opens connections from whichever fiber needs one, an order fiber on the TestClock included, and times
 * the connect on that fiber's clock: a `TestClock.adjust` made while a connection is being opened would time it out
 * at once. A local test server never hangs, so test pools connect without a timeout.
 */
export const testClockSafe = { connectTimeout: Duration.infinity } as const

/** The variable naming a Postgres server for tests (any database on it); each test layer gets a new database. */
export const testDatabaseUrlVariable = "TAWSIL_TEST_DATABASE_URL"

/** An ephemeral embedded Postgres in a temporary directory, stopped (and its data deleted) with the scope. */
const embeddedServer = Effect.gen(function* () {
  const dataDir = mkdtempSync(join(tmpdir(), "tawsil-testing-"))
  // added first, so it runs last: after the server has stopped and deleted its own data directory
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
  const pg = yield* startEmbeddedPostgres({ dataDir, port: yield* Effect.promise(freePort), ephemeral: true })
  return pg.url
}).pipe(Effect.orDie)

const withDatabase = (serverUrl: Redacted.Redacted<string>, name: string) => {
  const url = new URL(Redacted.value(serverUrl))
  url.pathname = `/${name}`
  return Redacted.make(url.toString())
}

/** Runs `statement` on the server's maintenance connection (one connection, closed afterwards). */
const onServer = (serverUrl: Redacted.Redacted<string>, statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
    Effect.provide(PgClient.layer({ url: serverUrl, maxConnections: 1 })),
    Effect.orDie
  )

/**
 * A `SqlClient` (and `PgClient`) on a fresh, empty database for one test scope: on the server named by
 * `TAWSIL_TEST_DATABASE_URL` when it is set (the database is dropped afterwards), else on an embedded Postgres
 * started for the scope (a few seconds). Tawsil's layer runs its migrations on it.
 */
export const TestPostgres = Layer.unwrap(
  Effect.gen(function* () {
    const configured = yield* Config.option(Config.Redacted(testDatabaseUrlVariable)).pipe(Effect.orDie)
    const serverUrl = Option.isSome(configured) ? configured.value : yield* embeddedServer
    const name = `tawsil_test_${randomBytes(6).toString("hex")}`
    yield* onServer(serverUrl, `create database ${name}`)
    // scope finalizers run last-in first-out: this one runs after the client's pool below has closed
    if (Option.isSome(configured)) {
      yield* Effect.addFinalizer(() =>
        onServer(serverUrl, `drop database if exists ${name} with (force)`).pipe(
          Effect.catchCause(() => Effect.void)
        )
      )
    }
    return PgClient.layer({ url: withDatabase(serverUrl, name), maxConnections: 10, ...testClockSafe })
  })
)
