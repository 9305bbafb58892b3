import { Duration, Effect, RcMap, type Scope, Semaphore } from "effect"
import { layerRcMap } from "./ProviderHttp.js"
import type { ProviderLimits } from "./ProviderLimits.js"

/** Runs a request to one provider once its limits let it: a permit held for the request, then a spacing token. */
export type Lane = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

const unlimited: Lane = (effect) => effect

/**
 * Starts of calls at least `spacing` apart (a token bucket of one): a per-provider politeness limit. Effect 3's
 * `RateLimiter.make({ limit: 1, interval })` (token bucket), kept as it was: the first call starts at once, each start
 * takes the token, and a background fiber (on the Clock) puts it back `spacing` after it was taken. A caller
 * interrupted while waiting takes nothing.
 */
export const spacingLimiter = (spacing: Duration.Input): Effect.Effect<Lane, never, Scope.Scope> =>
  Effect.gen(function* () {
    const millis = Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(spacing)))
    const token = yield* Semaphore.make(1)
    const taken = yield* Semaphore.make(0)
    const refill: Effect.Effect<void> = Effect.sleep(millis).pipe(
      Effect.andThen(taken.releaseAll),
      Effect.andThen(token.release(1)),
      Effect.flatMap((free) => (free === 1 ? Effect.void : refill))
    )
    yield* taken.take(1).pipe(Effect.andThen(refill), Effect.forever, Effect.forkScoped, Effect.interruptible)
    const take = Effect.uninterruptibleMask((restore) =>
      restore(token.take(1)).pipe(Effect.andThen(taken.release(1)))
    )
    return <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.andThen(take, effect)
  })

/** A lane is made per provider AND per limits (compared by value): a changed setting gets a lane of its own. */
interface LaneKey {
  readonly providerId: string
  readonly spacingMillis: number
  /** null: no cap */
  readonly concurrency: number | null
}

const makeLane = (key: LaneKey): Effect.Effect<Lane, never, Scope.Scope> =>
  Effect.gen(function* () {
    const spaced = key.spacingMillis > 0 ? yield* spacingLimiter(key.spacingMillis) : unlimited
    if (key.concurrency === null) return spaced
    const permits = yield* Semaphore.make(key.concurrency)
    // the permit first: a request waiting for its spacing token holds it, so no start comes sooner than spaced
    return <A, E, R>(effect: Effect.Effect<A, E, R>) => permits.withPermit(spaced(effect))
  })

/**
 * The lanes of one kind's providers, kept as long as the layer that made them: a provider's `spacingMs` (else the
 * kind's `defaultSpacing`; 0 is none) and `concurrency` (else no cap) apply to every request to it, whichever
 * order, check batch or operator makes it. The Providers cache reloads a row every few seconds: a lane with its
 * new limits is then taken, while requests already on the old one finish there.
 */
export const makeLanes = (defaultSpacing: Duration.Input) =>
  Effect.gen(function* () {
    const defaultMillis = Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(defaultSpacing)))
    const lanes = yield* layerRcMap(makeLane)
    return (providerId: string, limits: ProviderLimits): Effect.Effect<Lane> =>
      Effect.scoped(
        RcMap.get(lanes, {
          providerId,
          spacingMillis:
            limits.spacing === undefined ? defaultMillis : Math.ceil(Duration.toMillis(limits.spacing)),
          concurrency: limits.concurrency ?? null
        })
      )
  })
