import { PgTypes } from "@effect/sql-pg"
import type { SqlClient } from "effect/sql"
import { Result } from "effect"

/** One column of the `v` relation a settlement statement reads: its name, its Postgres type, its value per write. */
export interface Column<W> {
  readonly name: string
  readonly type: string
  readonly value: (write: W) => unknown
}

/** A dispatch-log row as a write carries it: the engine's provider calls and the operators' actions alike. */
export interface LogRecord {
  readonly providerId?: string | undefined
  readonly action: string
  readonly request?: unknown
  readonly response?: string | undefined
  readonly outcome: string
}

/** The order a write is about: `v.id`. */
export const idColumn = <W>(orderIdOf: (write: W) => string): Column<W> => ({
  name: "id",
  type: "uuid",
  value: orderIdOf
})

/** The dispatch-log columns of `v` (`log_*`); a null `log_outcome` means the write logs nothing. */
export const logColumns = <W>(logOf: (write: W) => LogRecord | undefined): ReadonlyArray<Column<W>> => [
  { name: "log_provider", type: "text", value: (w) => logOf(w)?.providerId ?? null },
  { name: "log_action", type: "text", value: (w) => logOf(w)?.action ?? null },
  {
    name: "log_request",
    type: "text",
    value: (w) => {
      const request = logOf(w)?.request
      return request === undefined ? null : JSON.stringify(request)
    }
  },
  { name: "log_response", type: "text", value: (w) => logOf(w)?.response ?? null },
  { name: "log_outcome", type: "text", value: (w) => logOf(w)?.outcome ?? null }
]

/**
 * The `v` relation: one row per write. One write: one row of scalar parameters (a prepared statement's cached plan
 * reaches `orders` and `outbox` by their primary keys). Several: arrays unnested.
 */
export const valuesOf = <W>(
  sql: SqlClient.SqlClient,
  columns: ReadonlyArray<Column<W>>,
  writes: ReadonlyArray<W>
) =>
  writes.length === 1
    ? sql`select ${sql.csv(columns.map((c) => sql`${c.value(writes[0]!)}::${sql.literal(c.type)} as ${sql.literal(c.name)}`))}`
    : sql`select * from unnest(${sql.csv(columns.map((c) => sql`${arrayOf(writes.map(c.value))}::${sql.literal(c.type)}[]`))})
          as v (${sql.literal(columns.map((c) => c.name).join(", "))})`

// the client infers an array parameter's type from its elements: a column with only nulls is sent as text[]
const arrayOf = (values: ReadonlyArray<unknown>) =>
  values.every((value) => value === null)
    ? Result.getOrThrow(PgTypes.array(values, PgTypes.OID.text))
    : values
