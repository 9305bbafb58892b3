import { Context, Effect, Layer, Option } from "effect"
import { countOrderCreated, snakeCase } from "../observability/Metrics.js"
import type { AccountId } from "./Account.js"
import type { CreatedOrder, CreateOrderCommand, CreateOrderError } from "./CreateOrder.js"
import { OrderNotFound, type OrderStatus } from "./Order.js"
import { OrderChanges } from "./OrderChanges.js"
import { OrderIntake } from "./OrderIntake.js"
import { OrderRepo } from "./OrderRepo.js"

/** The reseller-facing order operations. Creation never waits for a provider. */
export class Orders extends Context.Service<Orders>()("tawsil/orders/Orders", {
  make: Effect.gen(function* () {
    const intake = yield* OrderIntake
    const repo = yield* OrderRepo
    const changes = yield* OrderChanges

    // no span of its own: this is the hottest path; the request's span gets the order id, the log line and
    // `tawsil_orders_created_total` say what happened to the order
    const reported = Effect.fnUntraced(function* (
      command: CreateOrderCommand,
      submitted: Effect.Effect<CreatedOrder, CreateOrderError>
    ) {
      const created = yield* submitted.pipe(
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

    const create = (command: CreateOrderCommand) => reported(command, intake.submit(command))

    /**
     * `create` inside the caller's current transaction (a host's `sql.withTransaction` on the `SqlClient` given to
     * Tawsil's layer): the order, its debit and its outbox row commit or roll back with the host's rows. Its fiber
     * starts only after the commit (`HostTransactionIntake.ts`). Idempotency keys work as for `create`.
     */
    const createIn = (command: CreateOrderCommand) => reported(command, intake.submitIn(command))

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

    return {
      create,
      createIn,
      get,
      list,
      /** The order once approved or rejected (`isSettled`; a `manual` order waits for its operator). */
      awaitSettled: changes.awaitSettled,
      /** Order status and dispatch-state changes made by settlements on any node (Postgres LISTEN/NOTIFY). */
      changes: changes.changes
    } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make).pipe(
    Layer.provide([OrderIntake.layer, OrderRepo.layer, OrderChanges.layer])
  )
}
