import { Effect, Schema } from "effect"
import { Currency, StoredAmount } from "./Money.js"
import { SafeText } from "./SafeText.js"

export const OrderId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("OrderId"))
export type OrderId = typeof OrderId.Type

export const OrderStatus = Schema.Literals(["pending", "approved", "rejected"])
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
export const DispatchState = Schema.Literals(["queued", "sending", "awaiting", "done", "failed", "manual"])
export type DispatchState = typeof DispatchState.Type

export const Price = Schema.Struct({ amount: StoredAmount, currency: Currency })

export const Dispatch = Schema.Struct({
  state: DispatchState,
  provider: Schema.optionalKey(Schema.String),
  reference: Schema.optionalKey(Schema.String),
  attempts: Schema.Int,
  lastMessage: Schema.optionalKey(Schema.String),
  sentAt: Schema.optionalKey(Schema.DateTimeUtcFromString),
  lastCheckedAt: Schema.optionalKey(Schema.DateTimeUtcFromString)
})

export class Order extends Schema.Class<Order>("Order")({
  id: OrderId,
  number: Schema.Int,
  packageId: Schema.String,
  quantity: Schema.Int,
  playerId: Schema.String,
  extra: Schema.optionalKey(Schema.String),
  price: Price,
  status: OrderStatus,
  dispatch: Dispatch,
  pin: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  createdAt: Schema.DateTimeUtcFromString,
  completedAt: Schema.optionalKey(Schema.DateTimeUtcFromString)
}) {}

export const PackageId = SafeText({ minLength: 1, maxLength: 64 })

export class CreateOrderRequest extends Schema.Class<CreateOrderRequest>("CreateOrderRequest")({
  packageId: PackageId,
  playerId: SafeText({ minLength: 1, maxLength: 128 }).check(
    Schema.makeFilter((s) => s.trim().length > 0 || "must not be blank")
  ),
  extra: Schema.optionalKey(SafeText({ maxLength: 256 })),
  quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })).pipe(
    Schema.withDecodingDefaultType(Effect.succeed(1)),
    Schema.withConstructorDefault(Effect.succeed(1))
  )
}) {}

export const IdempotencyKey = SafeText({ minLength: 1, maxLength: 255 })

export class OrderPage extends Schema.Class<OrderPage>("OrderPage")({
  items: Schema.Array(Order),
  nextCursor: Schema.optionalKey(Schema.String)
}) {}

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()(
  "OrderNotFound",
  { message: Schema.String, orderId: Schema.String },
  { httpApiStatus: 404 }
) {}

export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  { message: Schema.String },
  { httpApiStatus: 409 }
) {}

export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()(
  "InvalidTransition",
  { message: Schema.String, status: OrderStatus },
  { httpApiStatus: 409 }
) {}
