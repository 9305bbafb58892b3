import { Effect } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { HttpApiBuilder, type HttpApiMiddleware } from "effect/http-api"
import { Callbacks } from "../callbacks/Callbacks.js"
import { Accounts } from "../orders/Accounts.js"
import { orderCursorNumber } from "../orders/Cursor.js"
import { Orders } from "../orders/Orders.js"
import { TawsilApi } from "./Api.js"
import type { MountedEndpoints } from "./MountedGroup.js"
import type { OrdersApi } from "./OrdersApi.js"
import { makeAccountLimiter } from "./AccountRateLimit.js"
import { CurrentAccount } from "./Auth.js"

export const markReplayed = HttpEffect.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "idempotent-replayed", "true"))
)

/**
 * The handlers of the `orders` group, for any HttpApi that contains the group: Tawsil's own, or a host service's
 * (`HttpApiBuilder.group(HostApi, "orders", ordersHandlers)`).
 */
export const ordersHandlers = <Added extends HttpApiMiddleware.AnyId = never>(
  handlers: HttpApiBuilder.Handlers<never, MountedEndpoints<typeof OrdersApi, Added>>
) =>
  Effect.gen(function* () {
    const orders = yield* Orders
    const accounts = yield* Accounts
    const limiter = yield* makeAccountLimiter
    const callbacks = yield* Callbacks
    return handlers
      .handle("create", ({ payload, headers }) =>
        Effect.gen(function* () {
          const accountId = yield* CurrentAccount
          yield* limiter.take(accountId)
          const created = yield* orders.create({
            accountId,
            request: payload,
            idempotencyKey: headers["idempotency-key"]
          })
          if (created.replayed) yield* markReplayed
          return created.order
        })
      )
      .handle("get", ({ params }) =>
        Effect.flatMap(CurrentAccount, (accountId) => orders.get(accountId, params.id))
      )
      .handle("list", ({ query }) =>
        Effect.gen(function* () {
          const accountId = yield* CurrentAccount
          const before = yield* orderCursorNumber(query.cursor)
          return yield* orders.list(accountId, {
            status: query.status,
            limit: query.limit ?? 50,
            before
          })
        })
      )
      .handle("account", () =>
        Effect.flatMap(CurrentAccount, (accountId) => Effect.orDie(accounts.get(accountId)))
      )
      .handle("putCallback", ({ payload }) =>
        Effect.flatMap(CurrentAccount, (accountId) => Effect.orDie(callbacks.set(accountId, payload)))
      )
      .handle("deleteCallback", () =>
        Effect.flatMap(CurrentAccount, (accountId) => Effect.orDie(callbacks.remove(accountId)))
      )
  })

export const OrdersHttpLive = HttpApiBuilder.group(TawsilApi, "orders", ordersHandlers)
