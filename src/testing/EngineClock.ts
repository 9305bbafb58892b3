import { Clock, Context, Duration, Effect, FiberRef, HashMap, Layer, Option, TestClock } from "effect"

/** A sleep some fiber is in right now, on the TestClock. */
export interface PendingSleep {
  readonly id: number
  /** TestClock time at which it ends */
  readonly wakeAt: number
  /** the order whose fiber sleeps: the `orderId` log annotation every order fiber carries (OrderFiber.ts) */
  readonly orderId: string | undefined
}

const orderIdOf = Effect.map(FiberRef.get(FiberRef.currentLogAnnotations), (annotations) =>
  Option.getOrUndefined(Option.map(HashMap.get(annotations, "orderId"), String))
)

/**
 * The test's TestClock, seeing which sleeps are under way. The TestClock itself lists every sleep ever started
 * until the clock passes it, even one whose fiber was interrupted (a send timeout that lost its race), so it
 * cannot tell a parked order fiber from a stale timer; this clock can.
 */
class TrackingClock implements TestClock.TestClock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private nextId = 0

  constructor(
    private readonly inner: TestClock.TestClock,
    private readonly sleeping: Map<number, PendingSleep>
  ) {}

  get currentTimeMillis() {
    return this.inner.currentTimeMillis
  }
  get currentTimeNanos() {
    return this.inner.currentTimeNanos
  }
  get save() {
    return this.inner.save
  }
  get sleeps() {
    return this.inner.sleeps
  }
  unsafeCurrentTimeMillis() {
    return this.inner.unsafeCurrentTimeMillis()
  }
  unsafeCurrentTimeNanos() {
    return this.inner.unsafeCurrentTimeNanos()
  }
  adjust(duration: Duration.DurationInput) {
    return this.inner.adjust(duration)
  }
  adjustWith(duration: Duration.DurationInput) {
    return this.inner.adjustWith(duration)
  }
  setTime(time: number) {
    return this.inner.setTime(time)
  }

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const register = Effect.map(orderIdOf, (orderId) => {
      const id = this.nextId++
      const wakeAt = this.inner.unsafeCurrentTimeMillis() + Duration.toMillis(duration)
      this.sleeping.set(id, { id, wakeAt, orderId })
      return id
    })
    return Effect.acquireUseRelease(
      register,
      () => this.inner.sleep(duration),
      (id) => Effect.sync(() => this.sleeping.delete(id))
    )
  }
}

/**
 * Installs the tracking clock for every fiber started after this layer is built (the engine's included), and
 * tells which sleeps are under way. Needs the TestClock of `it.effect` / `it.scoped`.
 */
export class EngineClock extends Context.Tag("tawsil/testing/EngineClock")<
  EngineClock,
  {
    readonly pending: Effect.Effect<ReadonlyArray<PendingSleep>>
    readonly now: Effect.Effect<number>
    readonly adjust: (millis: number) => Effect.Effect<void>
  }
>() {
  static readonly layer = Layer.scoped(
    EngineClock,
    Effect.gen(function* () {
      const inner = yield* TestClock.testClock()
      if (typeof inner.adjust !== "function") {
        return yield* Effect.dieMessage(
          "tawsil/testing needs the TestClock: run the test with it.effect or it.scoped"
        )
      }
      const sleeping = new Map<number, PendingSleep>()
      yield* Effect.withClockScoped(new TrackingClock(inner, sleeping))
      return {
        pending: Effect.sync(() => Array.from(sleeping.values())),
        now: inner.currentTimeMillis,
        adjust: (millis: number) => inner.adjust(Duration.millis(millis))
      }
    })
  )
}
