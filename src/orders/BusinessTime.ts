import { Clock, Effect } from "effect"
import type { SqlClient, Statement } from "effect/sql"

/**
 * An order's business timestamps (`created_at`, `sent_at`, `last_checked_at`, `completed_at`) are the `Clock` time of
 * the process that writes them, sent as a parameter: in a test they follow the TestClock, and an engine that resumes
 * an order measures from them on its own Clock. Leases, heartbeats and the rest keep the database's `now()`
 * (docs/architecture.md, "Two clocks").
 */
export const timestampAt = (sql: SqlClient.SqlClient, millis: number): Statement.Fragment =>
  sql`to_timestamp(${millis}::float8 / 1000)`

/** The Clock's time now, as a `timestamptz` expression for one statement (one read per statement or batch). */
export const businessTime = (sql: SqlClient.SqlClient): Effect.Effect<Statement.Fragment> =>
  Effect.map(Clock.currentTimeMillis, (millis) => timestampAt(sql, millis))
