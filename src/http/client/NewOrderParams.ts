import { Effect, Schema } from "effect"
import { HttpServerRequest } from "effect/http"
import { CreateOrderRequest, IdempotencyKey } from "../../orders/Order.js"
import { firstIssue } from "../../orders/ValidationError.js"
import { BarakatCode, ClientApiError } from "./BarakatAnswer.js"

/** The query keys of a product's `params`: the player id (Barakat's usual first param) and the extra field. */
export const playerIdParam = "uid"
export const extraParam = "extra"
/** What `CreateOrderRequest` allows, as a product's `qty_values`. */
export const quantityLimits = { min: 1, max: 1000 } as const

/** A key given twice arrives as an array and fails here. */
const NewOrderQuery = Schema.Struct({
  qty: Schema.optional(Schema.String),
  uid: Schema.optional(Schema.String),
  extra: Schema.optional(Schema.String),
  order_uuid: Schema.optional(Schema.String)
})

const decodeQuantity = Schema.decodeUnknownEffect(Schema.NumberFromString.check(Schema.isInt()))
const decodeRequest = Schema.decodeUnknownEffect(CreateOrderRequest)
const decodeOrderUuid = Schema.decodeUnknownEffect(IdempotencyKey)

const refusal = (code: number, message: string) => new ClientApiError({ code, message })

/** The Barakat answer for the request field that failed to decode. */
const refusalOf = (error: Schema.SchemaError) => {
  const field = firstIssue(error.issue)?.path?.[0]
  switch (field) {
    case "packageId":
      return refusal(BarakatCode.productNotFound, "Product not found")
    case "quantity":
      return refusal(
        BarakatCode.quantityOutOfRange,
        `Quantity out of range (${quantityLimits.min}–${quantityLimits.max})`
      )
    case "playerId":
      return refusal(BarakatCode.invalidParam, `Invalid param ${playerIdParam}`)
    default:
      return refusal(BarakatCode.invalidParam, `Invalid param ${extraParam}`)
  }
}

const blank = (value: string | undefined) => value === undefined || value.trim() === ""

/**
 * `newOrder/{productId}/params?qty=N&uid=…[&extra=…]&order_uuid=…` as the create request of `POST /v1/orders` and
 * its idempotency key. `qty` defaults to 1; a blank `extra` is no extra.
 */
export const newOrderParams = (productId: string) =>
  Effect.gen(function* () {
    const query = yield* HttpServerRequest.schemaSearchParams(NewOrderQuery).pipe(
      Effect.mapError(() => refusal(BarakatCode.invalidParam, "A param was given more than once"))
    )
    if (blank(query.uid)) {
      return yield* refusal(BarakatCode.invalidParam, `Missing param ${playerIdParam}`)
    }
    const quantity =
      query.qty === undefined
        ? 1
        : yield* decodeQuantity(query.qty).pipe(
            Effect.mapError(() => refusal(BarakatCode.quantityInvalid, "Quantity must be a whole number"))
          )
    const request = yield* decodeRequest({
      packageId: productId,
      playerId: query.uid,
      quantity,
      ...(blank(query.extra) ? {} : { extra: query.extra })
    }).pipe(Effect.mapError(refusalOf))
    const orderUuid =
      query.order_uuid === undefined
        ? undefined
        : yield* decodeOrderUuid(query.order_uuid).pipe(
            Effect.mapError(() => refusal(BarakatCode.invalidParam, "Invalid param order_uuid"))
          )
    return { request, orderUuid }
  })
