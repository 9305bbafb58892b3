import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import type { OrderStatus } from "../../orders/Order.js"
import { isUuid } from "../../orders/OrderLookup.js"
import { ResellerWords } from "../../providers/ResellerWords.js"
import type { Tables } from "../../db/Tables.js"

/** What a Barakat check tells of one order. */
export interface ClientOrderState {
  readonly orderId: string
  /** the caller's `order_uuid` (the order's idempotency key) */
  readonly orderUuid: string | undefined
  readonly status: OrderStatus
  readonly pin: string | undefined
  readonly message: string | undefined
  /** held in `manual` because its chain loops (this instance's send was refused with LOOP_DETECTED) */
  readonly looped: boolean
}

interface StateRow {
  readonly id: string
  readonly idempotency_key: string | null
  readonly status: OrderStatus
  readonly pin: string | null
  readonly message: string | null
  readonly dispatch_state: string
  readonly last_message: string | null
}

const toState = (row: StateRow): ClientOrderState => ({
  orderId: row.id,
  orderUuid: row.idempotency_key ?? undefined,
  status: row.status,
  pin: row.pin ?? undefined,
  message: row.message ?? undefined,
  looped: row.dispatch_state === "manual" && row.last_message === ResellerWords.loopDetected
})

/**
 * The account's orders named by `ids`: its `order_uuid`s (idempotency keys) or our order ids. Other accounts'
 * orders and ids that name nothing are left out.
 */
export const findClientOrders = (
  sql: SqlClient.SqlClient,
  t: Tables,
  accountId: string,
  ids: ReadonlyArray<string>,
  by: "orderUuid" | "orderId"
): Effect.Effect<ReadonlyArray<ClientOrderState>> => {
  const keys = by === "orderId" ? ids.filter(isUuid) : [...ids]
  if (keys.length === 0) return Effect.succeed([])
  const rows =
    by === "orderUuid"
      ? sql<StateRow>`select id, idempotency_key, status, pin, message, dispatch_state, last_message
                      from ${t.orders}
                      where account_id = ${accountId} and idempotency_key = any(${keys}::text[])`
      : sql<StateRow>`select id, idempotency_key, status, pin, message, dispatch_state, last_message
                      from ${t.orders}
                      where account_id = ${accountId} and id = any(${keys}::uuid[])`
  return rows.pipe(
    Effect.map((found) => found.map(toState)),
    Effect.orDie,
    Effect.withSpan("ClientOrderStates.find", { attributes: { orders: keys.length } })
  )
}
