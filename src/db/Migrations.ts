import { Effect, Layer } from "effect"
import { Migrator } from "effect/sql"
import initial from "./migrations/0001_initial.js"
import codes from "./migrations/0002_codes.js"
import operator from "./migrations/0003_operator.js"

// The generic migrator that PgMigrator wraps, minus its pg_dump hook: it needs only a SqlClient, so a host service
// embedding Tawsil can hand over its own Postgres connection.
const run = Migrator.make({})

export const migrate = run({
  loader: Migrator.fromRecord({ "0001_initial": initial, "0002_codes": codes, "0003_operator": operator }),
  table: "tawsil_migrations"
}).pipe(
  Effect.tap((applied) =>
    applied.length > 0
      ? Effect.logInfo("database migrated").pipe(
          Effect.annotateLogs(
            "migrations",
            applied.map(([, name]) => name)
          )
        )
      : Effect.void
  ),
  Effect.withSpan("Migrations.migrate"),
  Effect.orDie
)

export const MigrationsLive = Layer.effectDiscard(migrate)
