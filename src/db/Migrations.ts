import { Effect, Layer } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import initial from "./migrations/0001_initial.js"
import codes from "./migrations/0002_codes.js"
import operator from "./migrations/0003_operator.js"
import chain from "./migrations/0004_chain.js"
import callbacks from "./migrations/0005_callbacks.js"
import { moveFromPublic } from "./migrations/MoveFromPublic.js"
import { TawsilSchema } from "./TawsilSchema.js"

// The generic migrator that PgMigrator wraps, minus its pg_dump hook: it needs only a SqlClient, so a host service
// embedding Tawsil can hand over its own Postgres connection.
const run = Migrator.make({})

const loader = Migrator.fromRecord({
  "0001_initial": initial,
  "0002_codes": codes,
  "0003_operator": operator,
  "0004_chain": chain,
  "0005_callbacks": callbacks
})

/**
 * One transaction, one node at a time (an advisory lock: several nodes may start on one database): the schema
 * (`TawsilSchema`) is created, an older database's tables are moved into it from `public`, then the migrations run
 * with the transaction's search_path set to the schema, so their unqualified `create table orders` lands there
 * (and their record, `tawsil_migrations`, too). `set local` ends with the transaction: the (possibly host-owned)
 * connection goes back to the pool as it came.
 */
export const migrate = Effect.gen(function* () {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const schema = yield* TawsilSchema
  return yield* sql
    .withTransaction(
      Effect.gen(function* () {
        yield* sql`select pg_advisory_xact_lock(hashtext('tawsil.migrations'))`
        yield* sql`create schema if not exists ${sql(schema)}`
        const moved = yield* moveFromPublic(schema)
        if (moved.length > 0) {
          yield* Effect.logInfo("tables moved into their schema").pipe(
            Effect.annotateLogs({ schema, tables: moved })
          )
        }
        yield* sql`set local search_path to ${sql(schema)}`
        return yield* run({ loader, table: `${schema}.tawsil_migrations` })
      })
    )
    .pipe(Effect.provideService(SqlClient.SqlClient, sql))
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
