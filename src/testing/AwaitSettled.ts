import { Duration, Effect, Option, Schema } from "effect"
import { type Order, OrderNotFound } from "../orders/Order.js"
import { OrderRepo } from "../orders/OrderRepo.js"
import { EngineClock } from "./EngineClock.js"
import { nextWakeUp, settled } from "./EngineTime.js"

/** The order went to `manual` (poll deadline, ambiguous send…): only an operator settles it now. */
export class OrderNeedsOperator extends Schema.TaggedError<OrderNeedsOperator>()("OrderNeedsOperator", {
  message: Schema.String,
  orderId: Schema.String
}) {}

/** `awaitSettled` gave up: its bound of virtual time or of wake-ups was reached, or nothing was left to wake. */
export class OrderNotSettled extends Schema.TaggedError<OrderNotSettled>()("OrderNotSettled", {
  message: Schema.String,
  orderId: Schema.String,
  reason: Schema.Literals(["virtual time", "wake-ups", "nothing to wake"]),
  elapsedMillis: Schema.Number,
  wakeUps: Schema.Number
}) {}

export interface AwaitSettledOptions {
  /** TestClock time to move at most (48 hours: past the engine's 24-hour poll deadline) */
  readonly within?: Duration.Input | undefined
  /** wake-ups to go through at most (10,000) */
  readonly maxWakeUps?: number | undefined
}

/**
 * Moves the TestClock by itself, one wake-up at a time (the next sleep of any fiber to end, then `settled`), until
 * the order is approved or rejected, and answers it: time-skipping, like Temporal's test environment. A scripted
 * pending, pending, delivered returns after exactly 30 s of TestClock time. Fails with `OrderNeedsOperator` when the
 * order goes to `manual`, and with `OrderNotSettled` past its bounds, never looping for ever.
 */
export const awaitSettled = (orderId: string, options: AwaitSettledOptions = {}) =>
  Effect.gen(function* () {
    const clock = yield* EngineClock
    const repo = yield* OrderRepo
    const startedAt = yield* clock.now
    const limitMillis = Duration.toMillis(Duration.fromInputUnsafe(options.within ?? Duration.hours(48)))
    const maxWakeUps = options.maxWakeUps ?? 10_000
    const notSettled = (reason: OrderNotSettled["reason"], wakeUps: number, elapsedMillis: number) =>
      new OrderNotSettled({
        message: `order ${orderId} not settled after ${elapsedMillis} ms of TestClock time and ${wakeUps} wake-up(s): ${reason}`,
        orderId,
        reason,
        elapsedMillis,
        wakeUps
      })

    for (let wakeUps = 0; ; wakeUps++) {
      yield* settled
      const found = yield* repo.findById(orderId)
      if (Option.isNone(found)) return yield* new OrderNotFound({ message: "order not found", orderId })
      const order: Order = found.value
      if (order.status !== "pending") return order
      if (order.dispatch.state === "manual") {
        return yield* new OrderNeedsOperator({
          message: `order ${orderId} is in dispatch state manual: an operator must approve or reject it`,
          orderId
        })
      }
      const elapsed = (yield* clock.now) - startedAt
      if (wakeUps >= maxWakeUps) return yield* notSettled("wake-ups", wakeUps, elapsed)
      const next = yield* nextWakeUp
      if (next === undefined) return yield* notSettled("nothing to wake", wakeUps, elapsed)
      if (next - startedAt > limitMillis) return yield* notSettled("virtual time", wakeUps, elapsed)
      yield* clock.adjust(next - (yield* clock.now))
    }
  })
