import { Schema } from "effect"
import { SafeText } from "../orders/SafeText.js"

/** An absolute http(s) URL, at most 2,000 characters: where an account's settlement callbacks go. */
export const CallbackUrl = SafeText({ minLength: 1, maxLength: 2000 }).check(
  Schema.makeFilter((text) => {
    if (!URL.canParse(text)) return "must be an absolute http(s) URL"
    const protocol = new URL(text).protocol
    return protocol === "http:" || protocol === "https:" || "must be an http(s) URL"
  })
)

export class CallbackRequest extends Schema.Class<CallbackRequest>("CallbackRequest")({
  url: CallbackUrl,
  /** the signing secret; Tawsil generates one when it is left out */
  secret: Schema.optionalKey(SafeText({ minLength: 16, maxLength: 200 }))
}) {}

/** The answer of setting a callback: the only time the secret is shown. */
export class CallbackSet extends Schema.Class<CallbackSet>("CallbackSet")({
  url: Schema.String,
  secret: Schema.String
}) {}

export const DeliveryState = Schema.Literals(["pending", "delivered", "failed"])
export type DeliveryState = typeof DeliveryState.Type

/** One callback event as an operator sees it (never the URL's secret; `lastError` scrubbed and short). */
export class CallbackDelivery extends Schema.Class<CallbackDelivery>("CallbackDelivery")({
  id: Schema.String,
  accountId: Schema.String,
  orderId: Schema.String,
  state: DeliveryState,
  attempts: Schema.Int,
  nextAttemptAt: Schema.DateTimeUtcFromString,
  lastError: Schema.optionalKey(Schema.String),
  createdAt: Schema.DateTimeUtcFromString,
  deliveredAt: Schema.optionalKey(Schema.DateTimeUtcFromString)
}) {}

export class CallbackDeliveryNotFound extends Schema.TaggedError<CallbackDeliveryNotFound>()(
  "CallbackDeliveryNotFound",
  { message: Schema.String, deliveryId: Schema.String },
  { httpApiStatus: 404 }
) {}
