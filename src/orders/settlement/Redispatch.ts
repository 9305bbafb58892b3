import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { InvalidTransition } from "../Order.js"
import { loadDispatchJob } from "../OrderLookup.js"
import type { OrderRow } from "../OrderRow.js"
import { ValidationError } from "../ValidationError.js"
import { writeAdminLog } from "./AdminLog.js"
import { redebit } from "./OperatorMoney.js"

/**
 * Send a locked `manual` or `failed` order again, to `providerId` only or along its package route; a refunded
 * order is charged again first. The reference never changes. A `manual` order going back to the provider it was
 * last at may be there already (e.g. the poll deadline passed): it is queued as `sending`, so the engine checks
 * by reference before any re-send (docs/domain.md §4 rule 3). Any other is queued as `queued`: a send. The outbox row
 * is owned by `owner`'s engine at once (fence 1, as for new orders: the handoff starts its fiber with that lease),
 * or unowned (null) with a fence above any earlier one for whichever engine claims it.
 */
export const redispatchLocked =
  (sql: SqlClient.SqlClient) => (row: OrderRow, providerId: string | undefined, owner: string | null) =>
    Effect.gen(function* () {
      if (row.status === "approved" || (row.dispatch_state !== "manual" && row.dispatch_state !== "failed")) {
        return yield* new InvalidTransition({
          message: `only a manual or failed order can be dispatched again; this one is ${row.dispatch_state}`,
          status: row.status
        })
      }
      if (providerId !== undefined) {
        const found = yield* sql`select 1 from providers where id = ${providerId}`.pipe(Effect.orDie)
        if (found.length === 0) {
          return yield* new ValidationError({
            field: "providerId",
            message: `unknown provider "${providerId}"`
          })
        }
      }
      if (row.status === "rejected") yield* redebit(sql, row, "re-dispatched by an operator")
      const checkFirst =
        row.dispatch_state === "manual" &&
        row.provider_id !== null &&
        (providerId === undefined || providerId === row.provider_id)
      yield* sql`
        update orders set status = 'pending', dispatch_state = ${checkFirst ? "sending" : "queued"},
                          route_override = ${providerId ?? null},
                          provider_id = ${checkFirst ? row.provider_id : null},
                          provider_order_id = ${checkFirst ? row.provider_order_id : null},
                          fallback_from = null, pin = null, message = null, completed_at = null,
                          sent_at = null, last_checked_at = null,
                          last_message = 'dispatched again by an operator'
        where id = ${row.id}`.pipe(Effect.orDie)
      yield* sql`
        insert into outbox (order_id, owner_node, fence, claimed_at)
        values (${row.id}, ${owner}::text,
                case when ${owner}::text is null then (extract(epoch from now()) * 1000)::bigint else 1 end,
                case when ${owner}::text is null then null else now() end)
        on conflict (order_id) do update set
          owner_node = excluded.owner_node, fence = excluded.fence, claimed_at = excluded.claimed_at`.pipe(
        Effect.orDie
      )
      yield* writeAdminLog(sql)(row.id, {
        action: "operator:dispatch",
        outcome: `${checkFirst ? "requeued, check first" : "requeued"}${row.status === "rejected" ? ", re-debited" : ""}`,
        response: providerId,
        providerId
      })
      return (yield* loadDispatchJob(sql, row.id))!
    })
