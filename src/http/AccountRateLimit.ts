import { Clock, Config, Context, Effect, Layer, Option, Schema } from "effect"
import { RateLimited } from "./HttpErrors.js"

export interface AccountRateSettings {
  /** Creates per second per account, on this node; 0 turns the limit off. */
  readonly perSecond: number
  /** Creates an idle account may make at once. */
  readonly burst: number
}

/** The per-account limit on order creates: `TAWSIL_ACCOUNT_RATE` and `TAWSIL_ACCOUNT_BURST` unless given here. */
export class AccountRateLimit extends Context.Service<AccountRateLimit, AccountRateSettings>()(
  "tawsil/http/AccountRateLimit"
) {
  static readonly layer = (settings: AccountRateSettings) => Layer.succeed(AccountRateLimit, settings)

  // a Config's validation and description are checks and annotations of its Schema in Effect 4
  static readonly config = Effect.gen(function* () {
    const perSecond = yield* Config.schema(
      Schema.Number.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be 0 (off) or more" })).annotate({
        description: "order creates per second per account, per node; 0 = no limit"
      }),
      "TAWSIL_ACCOUNT_RATE"
    ).pipe(Config.withDefault(100))
    const burst = yield* Config.schema(
      Schema.Int.check(Schema.isGreaterThanOrEqualTo(1, { message: "must be 1 or more" })).annotate({
        description: "creates an idle account may make at once (default: twice the rate)"
      }),
      "TAWSIL_ACCOUNT_BURST"
    ).pipe(Config.withDefault(Math.max(1, Math.ceil(2 * perSecond))))
    return { perSecond, burst }
  })
}

/** Buckets kept at most; the least recently used goes first (it is refilled by then unless very busy). */
const maxBuckets = 10_000

/**
 * A token bucket per account on the Clock: `burst` tokens, refilled at `perSecond`; a create takes one or is
 * refused with the seconds until one is back.
 */
export const makeAccountLimiter = Effect.gen(function* () {
  const given = yield* Effect.serviceOption(AccountRateLimit)
  const { perSecond, burst } = Option.isSome(given) ? given.value : yield* AccountRateLimit.config
  const buckets = new Map<string, { readonly tokens: number; readonly at: number }>()

  const take = (accountId: string): Effect.Effect<void, RateLimited> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const bucket = buckets.get(accountId)
      const tokens =
        bucket === undefined ? burst : Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000)
      if (tokens < 1) {
        const retryAfter = Math.max(1, Math.ceil((1 - tokens) / perSecond))
        return Effect.fail(
          new RateLimited({
            message: `too many orders: at most ${perSecond} a second (bursts of ${burst}); retry in ${retryAfter} s`,
            retryAfter
          })
        )
      }
      buckets.delete(accountId)
      buckets.set(accountId, { tokens: tokens - 1, at: now })
      if (buckets.size > maxBuckets) buckets.delete(buckets.keys().next().value!)
      return Effect.void
    })

  return { take: perSecond === 0 ? (_accountId: string) => Effect.void : take } as const
})
