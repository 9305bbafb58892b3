import { Effect, Schema } from "effect"
import { HttpRouter } from "effect/http"
import type { CreateOrderError } from "../../orders/CreateOrder.js"
import { Orders } from "../../orders/Orders.js"
import { makeAccountLimiter } from "../AccountRateLimit.js"
import { BarakatCode, ClientApiError, ok, wireStatus } from "./BarakatAnswer.js"
import { makeChainGuard } from "./ChainGuard.js"
import type { ClientAuth } from "./ClientAuth.js"
import { newOrderParams } from "./NewOrderParams.js"

const refusal = (code: number, message: string) => new ClientApiError({ code, message })

/** Why intake refused the order, in Barakat's codes. */
const createRefusal = (error: CreateOrderError): ClientApiError => {
  switch (error._tag) {
    case "PackageNotFound":
      return refusal(BarakatCode.productNotFound, "Product not found")
    case "CurrencyMismatch":
      return refusal(BarakatCode.productNotFound, `Product not found (${error.message})`)
    case "PackageUnavailable":
      return refusal(BarakatCode.productUnavailable, "Product not available")
    case "InsufficientBalance":
      return refusal(BarakatCode.insufficientBalance, "Insufficient balance")
    case "BalanceOutOfRange":
      return refusal(BarakatCode.quantityOutOfRange, `Quantity too large (${error.message})`)
    case "IdempotencyKeyReused":
      return refusal(BarakatCode.invalidParam, "Invalid param order_uuid: it names another order")
    case "ValidationError":
      return refusal(BarakatCode.invalidParam, `Invalid param ${error.field}`)
  }
}

const ProductPath = Schema.Struct({ productId: Schema.String })

/**
 * `GET`/`POST /client/api/newOrder/{productId}/params`: an order created as `POST /v1/orders` creates it (charged,
 * handed to the engine), with `order_uuid` as its idempotency key (the same uuid again is the same order, charged
 * once) and the request's chain kept with it for its own provider calls.
 */
export const makeNewOrder = (auth: ClientAuth) =>
  Effect.gen(function* () {
    const orders = yield* Orders
    const chainGuard = yield* makeChainGuard
    const limiter = yield* makeAccountLimiter
    return Effect.gen(function* () {
      const accountId = yield* auth.accountId
      const chain = yield* chainGuard
      const { productId } = yield* HttpRouter.schemaPathParams(ProductPath).pipe(
        Effect.mapError(() => refusal(BarakatCode.productNotFound, "Product not found"))
      )
      const { request, orderUuid } = yield* newOrderParams(productId)
      yield* limiter
        .take(accountId)
        .pipe(Effect.mapError((error) => refusal(BarakatCode.rateLimited, error.message)))
      const created = yield* orders
        .create({ accountId, request, idempotencyKey: orderUuid, chain })
        .pipe(Effect.mapError(createRefusal))
      const { order } = created
      return ok({ order_id: order.id, status: wireStatus[order.status], price: order.price.amount })
    }).pipe(Effect.withSpan("ClientApi.newOrder"))
  })
