import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import { MigrationsLive } from "../../src/db/Migrations.js"
import { TawsilTables } from "../../src/db/Tables.js"
import { testClockSafe } from "../../src/testing/TestPostgres.js"

/** A fresh, migrated database in the test run's Postgres server (each suite gets its own), and its tables. */
export const TestDatabase = Layer.unwrap(
  Effect.gen(function* () {
    const serverUrl = inject("pgUrl")
    const name = `t_${randomBytes(6).toString("hex")}`
    yield* Effect.gen(function* () {
      const admin = yield* SqlClient.SqlClient
      yield* admin.unsafe(`create database ${name}`)
    }).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 })),
      Effect.orDie
    )
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    return Layer.mergeAll(MigrationsLive, TawsilTables.layer).pipe(
      Layer.provideMerge(
        PgClient.layer({ url: Redacted.make(url.toString()), maxConnections: 20, ...testClockSafe })
      )
    )
  })
)
