import { Context, Effect, Layer, Option } from "effect"
import { countOrderCreated, snakeCase } from "../observability/Metrics.js"
import type { AccountId } from "./Account.js"
import type { CreateOrderCommand } from "./CreateOrder.js"
import { OrderNotFound, type OrderStatus } from "./Order.js"
import { OrderIntake } from "./OrderIntake.js"
import { OrderRepo } from "./OrderRepo.js"

/** The reseller-facing order operations. Creation never waits for a provider. */
export class Orders extends Context.Service<Orders>()("tawsil/orders/Orders", {
  make: Effect.gen(function* () {
    const intake = yield* OrderIntake
    const repo = yield* OrderRepo

    // no span of its own: this is the hottest path; the request's span gets the order id, the log line and
    // `tawsil_orders_created_total` say what happened to the order
    const create = Effect.fnUntraced(function* (command: CreateOrderCommand) {
      const created = yield* intake.submit(command).pipe(
        Effect.tapError((error) =>
          Effect.logInfo("order refused").pipe(
            Effect.annotateLogs({
              module: "Orders",
              accountId: command.accountId,
              reason: error._tag,
              packageId: command.request.packageId
            }),
            Effect.andThen(countOrderCreated(snakeCase(error._tag)))
          )
        )
      )
      yield* Effect.annotateCurrentSpan("orderId", created.order.id)
      yield* countOrderCreated(created.replayed ? "replayed" : "created")
      yield* Effect.logInfo(created.replayed ? "order create replayed" : "order created").pipe(
        Effect.annotateLogs({
          module: "Orders",
          orderId: created.order.id,
          accountId: command.accountId,
          packageId: created.order.packageId,
          amount: created.order.price.amount
        })
      )
      return created
    })

    const get = (accountId: AccountId, id: string) =>
      repo.findForAccount(accountId, id).pipe(
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.fail(new OrderNotFound({ message: "order not found", orderId: id })),
            onSome: Effect.succeed
          })
        )
      )

    const list = (
      accountId: AccountId,
      query: { status?: OrderStatus | undefined; limit: number; before?: number | undefined }
    ) => repo.page({ ...query, accountId })

    return { create, get, list } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make).pipe(
    Layer.provide([OrderIntake.layer, OrderRepo.layer])
  )
}
