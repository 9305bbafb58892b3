import { Clock, Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import type { DispatchJob, StoredDispatchJob } from "./DispatchJob.js"
import type { Mapping, Route } from "./Package.js"
import { type PackageRow, toRoute } from "./Packages.js"
import type { OrderRow } from "./OrderRow.js"
import type { Tables } from "../db/Tables.js"

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

/** An order row with its package's route columns. */
type DispatchJobRow = OrderRow &
  Pick<PackageRow, "route_mode" | "primary_provider" | "fallback_provider" | "mappings">

/** Seconds from a stored business timestamp (written from a Clock: `BusinessTime.ts`) to `nowMillis`. */
const secondsSince = (at: Date | null, nowMillis: number) =>
  at === null ? undefined : (nowMillis - at.getTime()) / 1000

const toStoredJob = (row: DispatchJobRow, nowMillis: number): StoredDispatchJob => ({
  ...toDispatchJob(row, toRoute(row), row.mappings),
  secondsSinceSent: secondsSince(row.sent_at, nowMillis),
  secondsSinceChecked: secondsSince(row.last_checked_at, nowMillis)
})

/**
 * The order with its package's route, as the engine resumes it and an operator re-dispatches or checks it; how long
 * ago it was first sent and last checked is measured on the reader's Clock, the clock those times were written by.
 */
export const loadDispatchJob = (
  sql: SqlClient.SqlClient,
  t: Tables,
  orderId: string
): Effect.Effect<StoredDispatchJob | undefined> =>
  isUuid(orderId)
    ? sql<DispatchJobRow>`
        select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings
        from ${t.orders} o join ${t.packages} p on p.id = o.package_id
        where o.id = ${orderId}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined
            ? Effect.succeed(undefined)
            : Effect.map(Clock.currentTimeMillis, (now) => toStoredJob(rows[0]!, now))
        )
      )
    : Effect.succeed(undefined)
