import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import type { DispatchJob, StoredDispatchJob } from "./DispatchJob.js"
import type { Mapping, Route } from "./Package.js"
import { type PackageRow, toRoute } from "./Packages.js"
import type { OrderRow } from "./OrderRow.js"

/** An order id as a client may send it: anything but a UUID names no order (and is never sent to Postgres). */
export const isUuid = Schema.is(Schema.String.check(Schema.isUUID()))

/** The engine's job of an order row, with its package's route and mappings. */
export const toDispatchJob = (
  row: OrderRow,
  route: Route,
  mappings: Record<string, Mapping>
): DispatchJob => ({
  id: row.id,
  reference: row.reference,
  providerOrderId: row.provider_order_id ?? undefined,
  quantity: row.quantity,
  playerId: row.player_id,
  extra: row.extra ?? undefined,
  status: row.status,
  dispatchState: row.dispatch_state,
  providerId: row.provider_id ?? undefined,
  routeOverride: row.route_override ?? undefined,
  route,
  mappings,
  chain: row.chain ?? []
})

/** An order row with its package's route columns, and times measured by the database's clock. */
interface DispatchJobRow
  extends OrderRow, Pick<PackageRow, "route_mode" | "primary_provider" | "fallback_provider" | "mappings"> {
  readonly seconds_since_sent: number | null
  readonly seconds_since_checked: number | null
}

const toStoredJob = (row: DispatchJobRow): StoredDispatchJob => ({
  ...toDispatchJob(row, toRoute(row), row.mappings),
  secondsSinceSent: row.seconds_since_sent ?? undefined,
  secondsSinceChecked: row.seconds_since_checked ?? undefined
})

/** The order with its package's route, as the engine resumes it and an operator re-dispatches or checks it. */
export const loadDispatchJob = (
  sql: SqlClient.SqlClient,
  orderId: string
): Effect.Effect<StoredDispatchJob | undefined> =>
  isUuid(orderId)
    ? sql<DispatchJobRow>`
        select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings,
               extract(epoch from now() - o.sent_at)::float8 as seconds_since_sent,
               extract(epoch from now() - o.last_checked_at)::float8 as seconds_since_checked
        from tawsil.orders o join tawsil.packages p on p.id = o.package_id
        where o.id = ${orderId}`.pipe(
        Effect.map((rows) => (rows[0] === undefined ? undefined : toStoredJob(rows[0]))),
        Effect.orDie
      )
    : Effect.succeed(undefined)
