import { Clock, Context, Duration, Effect, Ref } from "effect"
import { ProviderTransient } from "../providers/Provider.js"

/**
 * The node's own gate in front of every provider call.
 * - Counts sends in flight, so a shutting-down node can let them finish (up to a grace period) before it
 *   interrupts its order fibers; once draining, no new send starts.
 * - Refuses calls while the node's last successful heartbeat is older than the lease TTL: other nodes may have
 *   taken its orders (a paused or partitioned node must not call a provider for an order it no longer owns).
 */
export class SendGate extends Context.Service<
  SendGate,
  {
    readonly track: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ProviderTransient, R>
    readonly ensureFresh: Effect.Effect<void, ProviderTransient>
    readonly beat: (atMillis: number) => Effect.Effect<void>
    readonly lastBeat: Effect.Effect<number>
    readonly drain: Effect.Effect<number>
    readonly inFlight: Effect.Effect<number>
  }
>()("tawsil/dispatch/SendGate") {
  static readonly make = (leaseTtl: Duration.Duration) =>
    Effect.gen(function* () {
      const inFlight = yield* Ref.make(0)
      const draining = yield* Ref.make(false)
      const lastBeat = yield* Ref.make(yield* Clock.currentTimeMillis)
      const ensureFresh = Effect.gen(function* () {
        const silentFor = (yield* Clock.currentTimeMillis) - (yield* Ref.get(lastBeat))
        if (silentFor >= Duration.toMillis(leaseTtl)) {
          return yield* new ProviderTransient({
            message: "this node's heartbeat is older than its lease: not calling the provider"
          })
        }
      })
      const track = <A, E, R>(send: Effect.Effect<A, E, R>) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function* () {
            if (yield* Ref.get(draining)) return yield* Effect.interrupt
            yield* ensureFresh
            yield* Ref.update(inFlight, (n) => n + 1)
            return yield* restore(send).pipe(Effect.ensuring(Ref.update(inFlight, (n) => n - 1)))
          })
        )
      return {
        track,
        ensureFresh,
        beat: (atMillis: number) => Ref.set(lastBeat, atMillis),
        lastBeat: Ref.get(lastBeat),
        /** Stop new sends; answers how many are still in flight. */
        drain: Effect.andThen(Ref.set(draining, true), Ref.get(inFlight)),
        inFlight: Ref.get(inFlight)
      }
    })
}
