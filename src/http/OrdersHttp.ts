import { HttpApiBuilder, HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { Accounts } from "../orders/Accounts.js"
import { orderCursorNumber } from "../orders/Cursor.js"
import { Orders } from "../orders/Orders.js"
import { type OrdersApi, TawsilApi } from "./Api.js"
import { makeAccountLimiter } from "./AccountRateLimit.js"
import { CurrentAccount } from "./Auth.js"

export const markReplayed = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "idempotent-replayed", "true"))
)

/**
 * The handlers of the `orders` group, for any HttpApi that contains the group: Tawsil's own, or a host service's
 * (`HttpApiBuilder.group(HostApi, "orders", ordersHandlers)`).
 */
export const ordersHandlers = <E, R>(handlers: HttpApiBuilder.Handlers.FromGroup<E, R, typeof OrdersApi>) =>
  Effect.gen(function* () {
    const orders = yield* Orders
    const accounts = yield* Accounts
    const limiter = yield* makeAccountLimiter
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
      .handle("get", ({ path }) =>
        Effect.flatMap(CurrentAccount, (accountId) => orders.get(accountId, path.id))
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const accountId = yield* CurrentAccount
          const before = yield* orderCursorNumber(urlParams.cursor)
          return yield* orders.list(accountId, {
            status: urlParams.status,
            limit: urlParams.limit ?? 50,
            before
          })
        })
      )
      .handle("account", () =>
        Effect.flatMap(CurrentAccount, (accountId) => Effect.orDie(accounts.get(accountId)))
      )
  })

export const OrdersHttpLive = HttpApiBuilder.group(TawsilApi, "orders", ordersHandlers)
