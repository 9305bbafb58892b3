import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** Every table Tawsil created in `public` before it had a schema of its own, and its migrations record. */
const tables = [
  "accounts",
  "api_keys",
  "providers",
  "packages",
  "orders",
  "ledger_entries",
  "nodes",
  "outbox",
  "dispatch_log",
  "settings",
  "code_groups",
  "codes",
  "tawsil_migrations"
] as const

/**
 * A database migrated by a version before Tawsil's schema keeps its tables in `public`, tracked in
 * `public.tawsil_migrations`. They are moved into `schema` (the configured one, `TawsilSchema`), rows, indexes,
 * constraints and identity sequences with them (`set schema` carries what a table owns); the reference-number
 * sequence is not owned by a table and moves alone.
 * Runs before the migrator, which then finds its record in the new schema and goes on from there.
 */
export const moveFromPublic = (schema: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [state] = yield* sql<{ old: boolean; moved: boolean }>`
      select exists (select 1 from pg_tables where schemaname = 'public' and tablename = 'tawsil_migrations') as old,
             exists (select 1 from pg_tables where schemaname = ${schema} and tablename = 'tawsil_migrations') as moved`
    if (state === undefined || !state.old || state.moved) return []
    const present = yield* sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = 'public' and tablename = any(${tables})`
    yield* Effect.forEach(
      present,
      ({ name }) => sql`alter table ${sql(`public.${name}`)} set schema ${sql(schema)}`,
      { discard: true }
    )
    yield* sql`alter sequence if exists public.order_reference_seq set schema ${sql(schema)}`
    return present.map(({ name }) => name)
  })
