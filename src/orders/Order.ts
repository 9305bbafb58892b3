import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Currency, StoredAmount } from "./Money.js"
import { SafeText } from "./SafeText.js"

export const OrderId = Schema.UUID.pipe(Schema.brand("OrderId"))
export type OrderId = typeof OrderId.Type

export const OrderStatus = Schema.Literal("pending", "approved", "rejected")
export type OrderStatus = typeof OrderStatus.Type

/**
 * The engine's own state; exactly one component moves an order out of each:
 * - queued:   durable, not yet sent. The order's fiber starts a send.
 * - sending:  a send is in flight (written before the provider call). After a crash it is ambiguous: check first.
 * - awaiting: the provider accepted it. The monitor polls until a terminal answer or the deadline.
 * - done:     the provider confirmed success; the order is approved. Terminal.
 * - failed:   the provider confirmed failure and no fallback is left; the order is rejected and refunded. Terminal.
 * - manual:   a human must decide. Only an operator action moves it.
 */
export const DispatchState = Schema.Literal("queued", "sending", "awaiting", "done", "failed", "manual")
export type DispatchState = typeof DispatchState.Type

export const Price = Schema.Struct({ amount: StoredAmount, currency: Currency })

export const Dispatch = Schema.Struct({
  state: DispatchState,
  provider: Schema.optional(Schema.String),
  reference: Schema.optional(Schema.String),
  attempts: Schema.Int,
  lastMessage: Schema.optional(Schema.String),
  sentAt: Schema.optional(Schema.DateTimeUtc),
  lastCheckedAt: Schema.optional(Schema.DateTimeUtc)
})

export class Order extends Schema.Class<Order>("Order")({
  id: OrderId,
  number: Schema.Int,
  packageId: Schema.String,
  quantity: Schema.Int,
  playerId: Schema.String,
  extra: Schema.optional(Schema.String),
  price: Price,
  status: OrderStatus,
  dispatch: Dispatch,
  pin: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  createdAt: Schema.DateTimeUtc,
  completedAt: Schema.optional(Schema.DateTimeUtc)
}) {}

export const PackageId = SafeText({ minLength: 1, maxLength: 64 })

export class CreateOrderRequest extends Schema.Class<CreateOrderRequest>("CreateOrderRequest")({
  packageId: PackageId,
  playerId: SafeText({ minLength: 1, maxLength: 128 }).pipe(
    Schema.filter((s) => s.trim().length > 0 || "must not be blank")
  ),
  extra: Schema.optional(SafeText({ maxLength: 256 })),
  quantity: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 1 })
}) {}

export const IdempotencyKey = SafeText({ minLength: 1, maxLength: 255 })

export class OrderPage extends Schema.Class<OrderPage>("OrderPage")({
  items: Schema.Array(Order),
  nextCursor: Schema.optional(Schema.String)
}) {}

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()(
  "OrderNotFound",
  { message: Schema.String, orderId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()(
  "InvalidTransition",
  { message: Schema.String, status: OrderStatus },
  HttpApiSchema.annotations({ status: 409 })
) {}
