import { DateTime } from "effect"
import { normalize } from "./Money.js"
import { Order, OrderId } from "./Order.js"
import type { DispatchState, OrderStatus } from "./Order.js"

/** An `orders` row as the Postgres client returns it (bigint as a JS bigint, numeric as a string, timestamptz as Date). */
export interface OrderRow {
  readonly id: string
  readonly number: bigint
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
  readonly chain: ReadonlyArray<string> | null
}

/** `{ [key]: f(value) }`, or no key at all for a null column: absent fields are left out of the answer (never `undefined`). */
const optional = <K extends string, A, B>(key: K, value: A | null, f: (a: A) => B): { [P in K]?: B } =>
  (value === null ? {} : { [key]: f(value) }) as { [P in K]?: B }
const time = (date: Date) => DateTime.fromDateUnsafe(date)
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
      ...optional("extra", row.extra, text),
      price: { amount: normalize(row.price_amount), currency: row.currency },
      status: row.status,
      dispatch: {
        state: row.dispatch_state,
        ...optional("provider", row.provider_id, text),
        reference: row.reference,
        attempts: row.attempts,
        ...optional("lastMessage", row.last_message, text),
        ...optional("sentAt", row.sent_at, time),
        ...optional("lastCheckedAt", row.last_checked_at, time)
      },
      ...optional("pin", row.pin, text),
      ...optional("message", row.message, text),
      createdAt: time(row.created_at),
      ...optional("completedAt", row.completed_at, time)
    },
    { disableChecks: true }
  )
