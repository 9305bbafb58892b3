import { Clock, Context, Duration, Effect, Layer, References, Tracer } from "effect"
import { TestClock } from "effect/testing"
import { DelegatingTestClock } from "./DelegatingTestClock.js"
import { countingIo, type IoCount } from "./IoTracer.js"

/** A sleep some fiber is in right now, on the TestClock. */
export interface PendingSleep {
  readonly id: number
  /** TestClock time at which it ends */
  readonly wakeAt: number
  /** the order whose fiber sleeps: the `orderId` log annotation every order fiber carries (OrderFiber.ts) */
  readonly orderId: string | undefined
}

const orderIdOf = Effect.map(References.CurrentLogAnnotations, (annotations) => {
  const orderId = annotations["orderId"]
  return orderId === undefined ? undefined : String(orderId)
})

/**
 * The test's TestClock, seeing which sleeps are under way. The TestClock keeps its sleep queue private and does not
 * know which fiber sleeps for which order, so it cannot tell a parked order fiber from any other timer; this clock
 * can.
 */
class TrackingClock extends DelegatingTestClock {
  private nextId = 0

  constructor(
    inner: TestClock.TestClock,
    private readonly sleeping: Map<number, PendingSleep>
  ) {
    super(inner)
  }

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const register = Effect.map(orderIdOf, (orderId) => {
      const id = this.nextId++
      const wakeAt = this.inner.currentTimeMillisUnsafe() + Duration.toMillis(duration)
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
 * Installs the tracking clock (as the `Clock`) and an I/O-counting tracer (as the `Tracer`, around the one in
 * place) for everything this layer is provided to, the engine's fibers included, and tells which sleeps and how
 * much I/O are under way. Needs the TestClock of `it.effect`.
 */
export class EngineClock extends Context.Service<
  EngineClock,
  {
    readonly pending: Effect.Effect<ReadonlyArray<PendingSleep>>
    readonly now: Effect.Effect<number>
    readonly adjust: (millis: number) => Effect.Effect<void>
    /** SQL statements and HTTP requests in flight, and how many ever started */
    readonly io: Effect.Effect<IoCount>
  }
>()("tawsil/testing/EngineClock") {
  static readonly layer: Layer.Layer<EngineClock> = Layer.effectContext(
    Effect.gen(function* () {
      const inner = yield* TestClock.testClockWith(Effect.succeed)
      if (typeof inner.adjust !== "function") {
        return yield* Effect.die(new Error("tawsil/testing needs the TestClock: run the test with it.effect"))
      }
      const sleeping = new Map<number, PendingSleep>()
      const io: IoCount = { open: 0, started: 0 }
      const tracer = yield* Tracer.Tracer
      return Context.make(EngineClock, {
        pending: Effect.sync(() => Array.from(sleeping.values())),
        now: inner.currentTimeMillis,
        adjust: (millis: number) => inner.adjust(Duration.millis(millis)),
        io: Effect.sync(() => ({ ...io }))
      }).pipe(
        Context.add(Clock.Clock, new TrackingClock(inner, sleeping)),
        Context.add(Tracer.Tracer, countingIo(tracer, io))
      )
    })
  )
}
