import { Context, Effect, Schema } from "effect"
import { SqlError, type SqlClient } from "effect/sql"
import type { Order } from "../Order.js"

/**
 * A host's hook run inside the transaction that settles an order (approved or rejected), on the same `SqlClient`:
 * the host's own rows change with the settlement, or not at all.
 */
export type OnSettled = (order: Order, sql: SqlClient.SqlClient) => Effect.Effect<void, unknown>

export class SettlementHook extends Context.Service<SettlementHook, { readonly onSettled: OnSettled }>()(
  "tawsil/orders/SettlementHook"
) {}

/** The host's hook failed: the settlement was rolled back (the engine settles the order again later). */
export class SettlementHookFailed extends Schema.TaggedError<SettlementHookFailed>()("SettlementHookFailed", {
  orderId: Schema.String,
  cause: Schema.Defect()
}) {}

/** The hook on a settled order, inside the caller's transaction; its failure is a defect (the caller rolls back). */
export const runHook = (sql: SqlClient.SqlClient, hook: SettlementHook["Service"], order: Order) =>
  hook.onSettled(order, sql).pipe(
    Effect.mapError((cause) => new SettlementHookFailed({ orderId: order.id, cause })),
    Effect.orDie
  )

/**
 * `write` (one order's settlement) and the hook in one transaction. A failing hook rolls both back and is a
 * defect: the engine's order fiber restarts from the database state (5 s later), finds the order still pending and
 * settles it again, hook included.
 */
export const settleWithHook = <E>(
  sql: SqlClient.SqlClient,
  hook: SettlementHook["Service"],
  write: Effect.Effect<Order, E>
): Effect.Effect<Order, E> =>
  sql
    .withTransaction(Effect.tap(write, (order) => runHook(sql, hook, order)))
    .pipe(Effect.catchIf(SqlError.isSqlError, Effect.die))
