import { Context, Effect, Ref } from "effect"

/**
 * Counts provider sends in flight, so a shutting-down node can let them finish (up to a grace period) before it
 * interrupts its order fibers: a send that completes is recorded as `awaiting` instead of being left ambiguous.
 * Once draining, no new send starts.
 */
export class SendGate extends Context.Tag("tawsil/dispatch/SendGate")<
  SendGate,
  {
    readonly track: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    readonly drain: Effect.Effect<number>
    readonly inFlight: Effect.Effect<number>
  }
>() {
  static readonly make = Effect.gen(function* () {
    const inFlight = yield* Ref.make(0)
    const draining = yield* Ref.make(false)
    const track = <A, E, R>(send: Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          if (yield* Ref.get(draining)) return yield* Effect.interrupt
          yield* Ref.update(inFlight, (n) => n + 1)
          return yield* restore(send).pipe(Effect.ensuring(Ref.update(inFlight, (n) => n - 1)))
        })
      )
    /** Stop new sends; answers how many are still in flight. */
    const drain = Effect.zipRight(Ref.set(draining, true), Ref.get(inFlight))
    return { track, drain, inFlight: Ref.get(inFlight) } as const
  })
}
