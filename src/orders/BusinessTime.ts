import { Clock, Effect } from "effect"
import type { SqlClient, Statement } from "effect/sql"

/**
 * An order's business timestamps (`created_at`, `sent_at`, `last_checked_at`, `completed_at`) are the `Clock` time of
 * the process that writes them, sent as a parameter: in a test they follow the TestClock, and an engine that resumes
 * an order measures from them on its own Clock. Leases, heartbeats and the rest keep the database's `now()`
 * (docs/architecture.md, "Two clocks").
 */
const timestampAt = (sql: SqlClient.SqlClient, micros: number): Statement.Fragment =>
  sql`to_timestamp(${micros}::float8 / 1000000)`

/**
 * The Clock's time now, to the microsecond as `timestamptz` keeps it (a float8 holds epoch microseconds exactly), as
 * an expression for one statement (one read per statement or batch).
 */
export const businessTime = (sql: SqlClient.SqlClient): Effect.Effect<Statement.Fragment> =>
  Effect.map(Clock.currentTimeNanos, (nanos) => timestampAt(sql, Number(nanos / 1000n)))
