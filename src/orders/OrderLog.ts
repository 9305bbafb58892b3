import { DateTime, Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { isUuid } from "./OrderLookup.js"
import { DispatchLog, DispatchLogEntry } from "./Operator.js"
import type { OrderNotFound } from "./Order.js"
import type { Tables } from "../db/Tables.js"

interface LogRow {
  readonly id: string
  readonly action: string
  readonly provider_id: string | null
  readonly outcome: string
  readonly response: string | null
  readonly request: unknown
  readonly actor: string | null
  readonly created_at: Date
}

const toLogEntry = (row: LogRow) =>
  new DispatchLogEntry({
    id: row.id,
    action: row.action,
    ...(row.provider_id === null ? {} : { providerId: row.provider_id }),
    outcome: row.outcome,
    ...(row.response === null ? {} : { response: row.response }),
    ...(row.request === null ? {} : { request: row.request }),
    actor: row.actor ?? "engine",
    createdAt: DateTime.fromDateUnsafe(row.created_at)
  })

/** Reads an order's dispatch log, oldest first: the engine's provider calls and the operators' actions. */
export const orderLog =
  (sql: SqlClient.SqlClient, t: Tables, notFound: (orderId: string) => OrderNotFound) => (orderId: string) =>
    Effect.gen(function* () {
      const exists = isUuid(orderId)
        ? yield* sql`select 1 from ${t.orders} where id = ${orderId}`.pipe(Effect.orDie)
        : []
      if (exists.length === 0) return yield* notFound(orderId)
      const rows = yield* sql<LogRow>`
        select id::text, action, provider_id, outcome, response, request, actor, created_at
        from ${t.dispatch_log} where order_id = ${orderId} order by id`.pipe(Effect.orDie)
      return new DispatchLog({ items: rows.map(toLogEntry) })
    })
