import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { AdminApi, ApiErrors, OpsApi, OrdersApi, OrderStatus } from "tawsil"

export class BuyRequest extends Schema.Class<BuyRequest>("BuyRequest")({
  /** the shop's own id for the purchase; a retried purchase is the same Tawsil order (idempotency key) */
  purchaseId: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/)),
  playerId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128))
}) {}

export class Purchase extends Schema.Class<Purchase>("Purchase")({
  purchaseId: Schema.String,
  orderId: Schema.String,
  status: OrderStatus
}) {}

export class PurchaseRefused extends Schema.TaggedError<PurchaseRefused>()(
  "PurchaseRefused",
  { message: Schema.String, reason: Schema.String },
  { httpApiStatus: 409 }
) {}

export class ShopApi extends HttpApiGroup.make("shop").add(
  HttpApiEndpoint.post("buy", "/shop/buy", {
    // a Schema.Class body accepts only its own instances in Effect 4: the wire form is its fields
    payload: Schema.Struct(BuyRequest.fields),
    success: Purchase.pipe(HttpApiSchema.status(201)),
    error: PurchaseRefused
  })
) {}

/**
 * The host's own API, with Tawsil's `orders` group (`/v1/orders…`, reseller API keys), `admin` group
 * (`/v1/admin/…`, the admin token) and `ops` group (`/healthz`, `/readyz`, `/metrics`) mounted in it. Bad requests
 * get Tawsil's answers on every route (`ApiErrors`): a 400 `ValidationError` naming the field, JSON 404s, 413s….
 */
export class HostApi extends HttpApi.make("host")
  .add(ShopApi)
  .add(OrdersApi)
  .add(AdminApi)
  .add(OpsApi)
  .middleware(ApiErrors) {}
