import { Schema } from "effect"
import { Order } from "../orders/Order.js"
import { type OrderRow, toOrder } from "../orders/OrderRow.js"

/**
 * The order as it settled, as the settlement statement wrote it (`callbackQueued` in `Settlement.ts`): the order
 * row's columns, numbers as text and times as epoch milliseconds, so nothing is rounded on the way.
 */
export interface CallbackSnapshot extends Pick<
  OrderRow,
  | "id"
  | "package_id"
  | "quantity"
  | "player_id"
  | "extra"
  | "price_amount"
  | "currency"
  | "status"
  | "dispatch_state"
  | "provider_id"
  | "reference"
  | "attempts"
  | "last_message"
  | "pin"
  | "message"
> {
  readonly number: string
  readonly created_at: number
  readonly sent_at: number | null
  readonly last_checked_at: number | null
  readonly completed_at: number | null
}

const time = (millis: number | null) => (millis === null ? null : new Date(millis))

const orderOf = (snapshot: CallbackSnapshot): Order =>
  toOrder({
    ...snapshot,
    number: BigInt(snapshot.number),
    account_id: "",
    provider_order_id: null,
    fallback_from: null,
    route_override: null,
    idempotency_key: null,
    request_hash: null,
    chain: null,
    created_at: new Date(snapshot.created_at),
    sent_at: time(snapshot.sent_at),
    last_checked_at: time(snapshot.last_checked_at),
    completed_at: time(snapshot.completed_at)
  })

const encodeOrder = Schema.encodeSync(Order)

/** The body POSTed to the callback URL: the order encoded as `GET /v1/orders/{id}` answers it, plus `eventId`. */
export const callbackBody = (eventId: string, payload: CallbackSnapshot): string =>
  JSON.stringify({ ...encodeOrder(orderOf(payload)), eventId })
