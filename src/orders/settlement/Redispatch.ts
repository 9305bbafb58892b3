import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import type { StoredDispatchJob } from "../DispatchJob.js"
import { InvalidTransition, type Order } from "../Order.js"
import { loadDispatchJob } from "../OrderLookup.js"
import { type OrderRow, toOrder } from "../OrderRow.js"
import { ValidationError } from "../ValidationError.js"
import { writeAdminLog } from "./AdminLog.js"
import type { LockedOrder } from "./LockedOrder.js"
import { redebit } from "./OperatorMoney.js"
import { announceOrder } from "./Settlement.js"
import type { Tables } from "../../db/Tables.js"

/**
 * Send a locked `manual` or `failed` order again, to `providerId` only or along its package route; a refunded
 * order is charged again first. The reference never changes. A `manual` order going back to the provider it was
 * last at may be there already (e.g. the poll deadline passed): it is queued as `sending`, so the engine checks
 * by reference before any re-send (docs/domain.md §4 rule 3). Any other is queued as `queued`: a send. The outbox row
 * is owned by `owner`'s engine at once (fence 1, as for new orders: the handoff starts its fiber with that lease),
 * or unowned (null) with a fence above any earlier one for whichever engine claims it. Answers the order as the API
 * shows it and the engine's job of it. `announce`: the layer's `AnnounceOrderChanges`, read when it was built (a
 * reference read here would be the calling fiber's, not the layer's).
 */
export const redispatchLocked =
  (sql: SqlClient.SqlClient, t: Tables, announce: boolean) =>
  (locked: LockedOrder, providerId: string | undefined, owner: string | null) =>
    Effect.gen(function* () {
      if (
        locked.status === "approved" ||
        (locked.dispatchState !== "manual" && locked.dispatchState !== "failed")
      ) {
        return yield* new InvalidTransition({
          message: `only a manual or failed order can be dispatched again; this one is ${locked.dispatchState}`,
          status: locked.status
        })
      }
      if (providerId !== undefined) {
        const found = yield* sql`select 1 from ${t.providers} where id = ${providerId}`.pipe(Effect.orDie)
        if (found.length === 0) {
          return yield* new ValidationError({
            field: "providerId",
            message: `unknown provider "${providerId}"`
          })
        }
      }
      if (locked.status === "rejected") yield* redebit(sql, t, locked, "re-dispatched by an operator")
      const checkFirst =
        locked.dispatchState === "manual" &&
        locked.providerId !== undefined &&
        (providerId === undefined || providerId === locked.providerId)
      const updated = yield* sql<OrderRow>`
        update ${t.orders} set status = 'pending', dispatch_state = ${checkFirst ? "sending" : "queued"},
                          route_override = ${providerId ?? null},
                          provider_id = ${checkFirst ? (locked.providerId ?? null) : null},
                          provider_order_id = ${checkFirst ? (locked.providerOrderId ?? null) : null},
                          fallback_from = null, pin = null, message = null, completed_at = null,
                          sent_at = null, last_checked_at = null,
                          last_message = 'dispatched again by an operator'
        where id = ${locked.id}
        returning *`.pipe(Effect.orDie)
      yield* sql`
        insert into ${t.outbox} (order_id, owner_node, fence, claimed_at)
        values (${locked.id}, ${owner}::text,
                case when ${owner}::text is null then (extract(epoch from now()) * 1000)::bigint else 1 end,
                case when ${owner}::text is null then null else now() end)
        on conflict (order_id) do update set
          owner_node = excluded.owner_node, fence = excluded.fence, claimed_at = excluded.claimed_at`.pipe(
        Effect.orDie
      )
      if (announce) yield* announceOrder(sql, t, locked.id).pipe(Effect.orDie)
      yield* writeAdminLog(sql, t)(locked.id, {
        action: "operator:dispatch",
        outcome: `${checkFirst ? "requeued, check first" : "requeued"}${locked.status === "rejected" ? ", re-debited" : ""}`,
        response: providerId,
        providerId
      })
      const order: Order = toOrder(updated[0]!)
      const job: StoredDispatchJob = (yield* loadDispatchJob(sql, t, locked.id))!
      return { order, job }
    })
