import { PgClient } from "@effect/sql-pg"
import {
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  PubSub,
  Queue,
  RcRef,
  Schema,
  type Scope,
  Stream
} from "effect"
import { DispatchState, type Order, OrderNotFound, OrderStatus } from "./Order.js"
import { OrderRepo } from "./OrderRepo.js"
import { AnnounceOrderChanges } from "./settlement/AnnounceOrderChanges.js"
import { orderChangesChannel } from "./settlement/Settlement.js"

/** An order's status or dispatch state as a settlement (engine or operator, on any node) left it. */
export const OrderChange = Schema.Struct({
  id: Schema.String,
  status: OrderStatus,
  dispatchState: DispatchState
})
export type OrderChange = typeof OrderChange.Type

const decodeChange = Schema.decodeUnknownOption(Schema.fromJsonString(OrderChange))

/**
 * Settled: approved or rejected, the money's final state. An order handed to an operator (dispatch state `manual`)
 * is not settled: it stays pending, money held, until the operator approves or rejects it.
 */
export const isSettled = (order: Order) => order.status !== "pending"

/** How often a wait re-reads the order even without a notification (a lost listener, a client without LISTEN). */
const recheckEvery = Duration.seconds(5)
/** How often a wait re-reads the order when settlements are not announced (`AnnounceOrderChanges` off). */
const pollEvery = Duration.seconds(1)

/**
 * Order changes across nodes, from Postgres `LISTEN` on `orderChangesChannel` (settlement statements notify at
 * commit). One listening connection per layer, held while someone follows the changes. Needs the host's
 * `PgClient` (`@effect/sql-pg` gives it with the `SqlClient`); without it `changes` dies and `awaitSettled` polls.
 */
export class OrderChanges extends Context.Service<OrderChanges>()("tawsil/orders/OrderChanges", {
  make: Effect.gen(function* () {
    const repo = yield* OrderRepo
    const announced = yield* AnnounceOrderChanges
    // without announcements there is nothing to listen to: `changes` dies, `awaitSettled` re-reads every second
    const pg = announced ? yield* Effect.serviceOption(PgClient.PgClient) : Option.none()

    const listenInto = (client: PgClient.PgClient) =>
      Effect.gen(function* () {
        const notifications = yield* client.listen(orderChangesChannel)
        const hub = yield* PubSub.unbounded<OrderChange>()
        // a lost connection shuts the hub: its subscribers end, and the next one listens again
        yield* Queue.take(notifications).pipe(
          Effect.flatMap((notification) =>
            Option.match(decodeChange(notification.payload), {
              onNone: () => Effect.void,
              onSome: (change) => PubSub.publish(hub, change)
            })
          ),
          Effect.forever,
          Effect.catchCause((cause) => Effect.logWarning("order changes: the listener stopped", cause)),
          Effect.ensuring(PubSub.shutdown(hub)),
          Effect.annotateLogs({ module: "OrderChanges" }),
          Effect.forkScoped
        )
        return hub
      })

    const listener = yield* Option.match(pg, {
      onNone: () => Effect.succeed(Option.none()),
      onSome: (client) => Effect.map(RcRef.make({ acquire: listenInto(client) }), Option.some)
    })

    /** A subscription to the changes, listening before it answers; none without a `PgClient`. */
    const subscribe: Effect.Effect<
      Option.Option<PubSub.Subscription<OrderChange>>,
      never,
      Scope.Scope
    > = Option.match(listener, {
      onNone: () => Effect.succeed(Option.none()),
      onSome: (ref) =>
        RcRef.get(ref).pipe(Effect.orDie, Effect.flatMap(PubSub.subscribe), Effect.map(Option.some))
    })

    const changes: Stream.Stream<OrderChange> = Stream.unwrap(
      Effect.map(subscribe, (subscription) =>
        Option.match(subscription, {
          onNone: () =>
            Stream.die(
              new Error(
                announced
                  ? "Orders.changes needs the host's PgClient (LISTEN/NOTIFY)"
                  : "Orders.changes needs order changes announced: layer({ orderChanges: true }) on every node"
              )
            ),
          onSome: Stream.fromSubscription
        })
      )
    )

    const nextChangeOf = (id: string, subscription: Option.Option<PubSub.Subscription<OrderChange>>) =>
      Option.match(subscription, {
        onNone: () => Effect.never,
        onSome: (s) =>
          PubSub.take(s).pipe(
            Effect.repeat({ until: (change) => change.id === id }),
            // a lost listener: the re-reads carry on alone
            Effect.catchCause(() => Effect.never)
          )
      })

    /** The order once it is settled (`isSettled`), listening before it first reads the order so no change slips by. */
    const awaitSettled = (id: string): Effect.Effect<Order, OrderNotFound> =>
      Effect.scoped(
        Effect.gen(function* () {
          const subscription = yield* subscribe
          while (true) {
            const order = yield* repo.findById(id)
            if (Option.isNone(order)) {
              return yield* new OrderNotFound({ message: "order not found", orderId: id })
            }
            if (isSettled(order.value)) return order.value
            yield* Effect.raceFirst(
              nextChangeOf(id, subscription),
              Effect.sleep(Option.isSome(subscription) ? recheckEvery : pollEvery)
            )
          }
        })
      )

    return { changes, awaitSettled } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make).pipe(Layer.provide(OrderRepo.layer))
}
