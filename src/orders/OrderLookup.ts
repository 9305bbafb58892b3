import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import type { NewOrderJob } from "./DispatchHandoff.js"

/** An order id as a client may send it: anything but a UUID names no order (and is never sent to Postgres). */
export const isUuid = Schema.is(Schema.String.check(Schema.isUUID()))

/** An order with what the engine needs to route it, and times measured by the database's clock. */
export interface DispatchJob extends NewOrderJob {
  readonly seconds_since_sent: number | null
  readonly seconds_since_checked: number | null
}

/** The order with its package's route, as the engine resumes it and an operator re-dispatches or checks it. */
export const loadDispatchJob = (
  sql: SqlClient.SqlClient,
  orderId: string
): Effect.Effect<DispatchJob | undefined> =>
  isUuid(orderId)
    ? sql<DispatchJob>`
        select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings,
               extract(epoch from now() - o.sent_at)::float8 as seconds_since_sent,
               extract(epoch from now() - o.last_checked_at)::float8 as seconds_since_checked
        from orders o join packages p on p.id = o.package_id
        where o.id = ${orderId}`.pipe(
        Effect.map((rows) => rows[0]),
        Effect.orDie
      )
    : Effect.succeed(undefined)
