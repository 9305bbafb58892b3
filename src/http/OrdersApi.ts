import { Schema } from "effect"
import { HttpApiEndpoint as Endpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { CallbackRequest, CallbackSet } from "../callbacks/CallbackSchemas.js"
import { Account, InsufficientBalance } from "../orders/Account.js"
import { BalanceOutOfRange } from "../orders/BalanceRange.js"
import {
  CreateOrderRequest,
  IdempotencyKey,
  IdempotencyKeyReused,
  Order,
  OrderNotFound,
  OrderPage,
  OrderStatus
} from "../orders/Order.js"
import { CurrencyMismatch, PackageNotFound, PackageUnavailable } from "../orders/Package.js"
import { AccountAuth } from "./Auth.js"
import { body, Cursor, Limit, orderIdParams } from "./EndpointInputs.js"
import { RateLimited } from "./HttpErrors.js"
import { ValidationError } from "../orders/ValidationError.js"

/**
 * The errors every endpoint of the group may answer besides its own, declared once and listed last on each.
 * Effect 4 has no group-wide errors, and a group-wide middleware's errors would not do: the handlers raise
 * `ValidationError`, and a handler serving the group in any HttpApi may raise only its endpoint's own errors
 * (`MountedGroup.ts`). On the endpoints, a host mounting the group answers and documents it too.
 */
const groupErrors = [ValidationError] as const

/** The reseller's routes, `/v1/orders…` and `/v1/account`; behind a reseller's API key (`AccountAuth`). */
export class OrdersApi extends HttpApiGroup.make("orders")
  .add(
    Endpoint.post("create", "/v1/orders", {
      payload: body(CreateOrderRequest),
      headers: { "idempotency-key": Schema.optional(IdempotencyKey) },
      success: Order.pipe(HttpApiSchema.status(201)),
      error: [
        PackageNotFound,
        PackageUnavailable,
        CurrencyMismatch,
        InsufficientBalance,
        IdempotencyKeyReused,
        BalanceOutOfRange,
        RateLimited,
        ...groupErrors
      ]
    }).annotate(
      OpenApi.Summary,
      "Create an order; answers at once, the provider is called in the background"
    ),
    Endpoint.get("get", "/v1/orders/:id", {
      params: orderIdParams,
      success: Order,
      error: [OrderNotFound, ...groupErrors]
    }),
    Endpoint.get("list", "/v1/orders", {
      query: {
        status: Schema.optional(OrderStatus),
        limit: Schema.optional(Limit),
        cursor: Schema.optional(Cursor)
      },
      success: OrderPage,
      error: groupErrors
    }),
    Endpoint.get("account", "/v1/account", { success: Account, error: groupErrors }),
    Endpoint.put("putCallback", "/v1/account/callback", {
      payload: body(CallbackRequest),
      success: CallbackSet,
      error: groupErrors
    }).annotate(
      OpenApi.Summary,
      "Set the settlement callback (http(s) URL); the signing secret, given or generated, is shown only here"
    ),
    Endpoint.delete("deleteCallback", "/v1/account/callback", { error: groupErrors })
  )
  .middleware(AccountAuth) {}
