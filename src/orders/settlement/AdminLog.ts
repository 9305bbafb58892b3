import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { logInsert } from "./Settlement.js"
import { type Column, idColumn, logColumns, valuesOf } from "./WriteValues.js"
import type { Tables } from "../../db/Tables.js"

/** One dispatch-log row written by an operator action (actor `admin`). */
export interface AdminLog {
  readonly action: "operator:approve" | "operator:reject" | "operator:dispatch" | "operator:check" | "check"
  readonly outcome: string
  readonly response?: string | undefined
  readonly providerId?: string | undefined
  readonly request?: unknown
}

/** An operator's write of one order (locked by the caller) and the dispatch-log row it records. */
export interface AdminWrite {
  readonly orderId: string
  readonly log: AdminLog
}

const adminColumns: ReadonlyArray<Column<AdminWrite>> = [
  idColumn<AdminWrite>((w) => w.orderId),
  ...logColumns<AdminWrite>((w) => w.log)
]

/** The `v` relation of an operator's write: one row. */
export const adminValues = (sql: SqlClient.SqlClient, orderId: string, log: AdminLog) =>
  valuesOf(sql, adminColumns, [{ orderId, log }])

/** A dispatch-log row of an operator action that changes nothing else (a noop, a provider's answer). */
export const writeAdminLog = (sql: SqlClient.SqlClient, t: Tables) => (orderId: string, log: AdminLog) =>
  sql`with v as (${adminValues(sql, orderId, log)}) ${logInsert(sql, t, "admin", sql`v`)}`.pipe(
    Effect.orDie,
    Effect.asVoid
  )
