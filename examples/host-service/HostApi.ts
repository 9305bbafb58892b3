import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { OpsApi, OrdersApi, OrderStatus } from "tawsil"

export class BuyRequest extends Schema.Class<BuyRequest>("BuyRequest")({
  /** the shop's own id for the purchase; a retried purchase is the same Tawsil order (idempotency key) */
  purchaseId: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/)),
  playerId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))
}) {}

export class Purchase extends Schema.Class<Purchase>("Purchase")({
  purchaseId: Schema.String,
  orderId: Schema.String,
  status: OrderStatus
}) {}

export class PurchaseRefused extends Schema.TaggedError<PurchaseRefused>()(
  "PurchaseRefused",
  { message: Schema.String, reason: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class ShopApi extends HttpApiGroup.make("shop").add(
  HttpApiEndpoint.post("buy", "/shop/buy")
    .setPayload(BuyRequest)
    .addSuccess(Purchase, { status: 201 })
    .addError(PurchaseRefused)
) {}

/**
 * The host's own API, with Tawsil's `orders` group (`/v1/orders…`, reseller API keys) and `ops` group (`/healthz`,
 * `/readyz`, `/metrics`) mounted in it.
 */
export class HostApi extends HttpApi.make("host").add(ShopApi).add(OrdersApi).add(OpsApi) {}
