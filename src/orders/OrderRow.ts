import { DateTime } from "effect"
import { normalize } from "./Money.js"
import { Order, OrderId } from "./Order.js"
import type { DispatchState, OrderStatus } from "./Order.js"

/** An `orders` row as node-postgres returns it (bigint and numeric as strings, timestamptz as Date). */
export interface OrderRow {
  readonly id: string
  readonly number: string
  readonly account_id: string
  readonly package_id: string
  readonly quantity: number
  readonly player_id: string
  readonly extra: string | null
  readonly price_amount: string
  readonly currency: string
  readonly status: OrderStatus
  readonly dispatch_state: DispatchState
  readonly provider_id: string | null
  readonly reference: string
  readonly provider_order_id: string | null
  readonly fallback_from: string | null
  readonly route_override: string | null
  readonly attempts: number
  readonly last_message: string | null
  readonly pin: string | null
  readonly message: string | null
  readonly idempotency_key: string | null
  readonly request_hash: string | null
  readonly created_at: Date
  readonly sent_at: Date | null
  readonly last_checked_at: Date | null
  readonly completed_at: Date | null
}

const optional = <A, B>(value: A | null, f: (a: A) => B): B | undefined =>
  value === null ? undefined : f(value)
const time = (date: Date) => DateTime.unsafeFromDate(date)
const text = (s: string) => s

/** Rows come from our own constraints-checked tables: the constructor's validation is skipped (it is hot). */
export const toOrder = (row: OrderRow): Order =>
  new Order(
    {
      id: OrderId.make(row.id),
      number: Number(row.number),
      packageId: row.package_id,
      quantity: row.quantity,
      playerId: row.player_id,
      extra: optional(row.extra, text),
      price: { amount: normalize(row.price_amount), currency: row.currency },
      status: row.status,
      dispatch: {
        state: row.dispatch_state,
        provider: optional(row.provider_id, text),
        reference: row.reference,
        attempts: row.attempts,
        lastMessage: optional(row.last_message, text),
        sentAt: optional(row.sent_at, time),
        lastCheckedAt: optional(row.last_checked_at, time)
      },
      pin: optional(row.pin, text),
      message: optional(row.message, text),
      createdAt: time(row.created_at),
      completedAt: optional(row.completed_at, time)
    },
    true
  )
