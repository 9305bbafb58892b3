import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { type DispatchState, type Order, OrderNotFound, type OrderStatus } from "../Order.js"
import { isUuid } from "../OrderLookup.js"
import { type OrderRow, toOrder } from "../OrderRow.js"
import type { Tables } from "../../db/Tables.js"

/** An order an operator action has locked (`for update`): what its settlement decides on. */
export interface LockedOrder {
  readonly id: string
  readonly accountId: string
  /** what the order was charged (numeric as Postgres writes it) */
  readonly priceAmount: string
  readonly status: OrderStatus
  readonly dispatchState: DispatchState
  readonly providerId: string | undefined
  readonly providerOrderId: string | undefined
  /** the order as the API shows it: the answer of an action that changes nothing */
  readonly order: Order
}

const toLockedOrder = (row: OrderRow): LockedOrder => ({
  id: row.id,
  accountId: row.account_id,
  priceAmount: row.price_amount,
  status: row.status,
  dispatchState: row.dispatch_state,
  providerId: row.provider_id ?? undefined,
  providerOrderId: row.provider_order_id ?? undefined,
  order: toOrder(row)
})

export const notFound = (orderId: string) => new OrderNotFound({ message: "order not found", orderId })

/** The order, locked until the caller's transaction ends; an id that names no order: `OrderNotFound`. */
export const lockOrder = (sql: SqlClient.SqlClient, t: Tables, orderId: string) =>
  (isUuid(orderId)
    ? sql<OrderRow>`select * from ${t.orders} where id = ${orderId} for update`
    : Effect.succeed([])
  ).pipe(
    Effect.orDie,
    Effect.flatMap((rows) =>
      rows[0] === undefined ? Effect.fail(notFound(orderId)) : Effect.succeed(toLockedOrder(rows[0]))
    )
  )
