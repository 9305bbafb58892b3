import { Duration, Effect, Schema } from "effect"
import { firstIssue } from "../orders/ValidationError.js"
import { ProviderMisconfigured } from "./Provider.js"

const intBetween = (minimum: number, maximum: number) =>
  Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum, maximum })))

/**
 * The limits any provider may carry in its `options`, whatever its kind: these four names are reserved (a kind's
 * own options schema never sees them). Unset, a limit is the kind's default (or the engine's timeout).
 */
export const ProviderLimitOptions = Schema.Struct({
  /** the least time between the starts of two requests to this provider */
  spacingMs: intBetween(0, 60_000),
  /** requests in flight at once to this provider */
  concurrency: intBetween(1, 1000),
  sendTimeoutMs: intBetween(100, 600_000),
  checkTimeoutMs: intBetween(100, 600_000)
})
export type ProviderLimitOptions = typeof ProviderLimitOptions.Type

export const limitKeys: ReadonlyArray<keyof ProviderLimitOptions> = [
  "spacingMs",
  "concurrency",
  "sendTimeoutMs",
  "checkTimeoutMs"
]

/** A provider's own limits, decoded; a limit left out is the default of its kind or of the engine. */
export interface ProviderLimits {
  readonly spacing?: Duration.Duration
  readonly concurrency?: number
  readonly sendTimeout?: Duration.Duration
  readonly checkTimeout?: Duration.Duration
}

/** `options` in two: the limit keys, and the rest (the kind's own options). */
export const splitLimits = (options: { readonly [key: string]: unknown }) => {
  const limits: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if ((limitKeys as ReadonlyArray<string>).includes(key)) limits[key] = value
    else rest[key] = value
  }
  return { limits, rest }
}

const decodeLimitOptions = Schema.decodeUnknownEffect(ProviderLimitOptions)

const toLimits = (options: ProviderLimitOptions): ProviderLimits => ({
  ...(options.spacingMs === undefined ? {} : { spacing: Duration.millis(options.spacingMs) }),
  ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  ...(options.sendTimeoutMs === undefined ? {} : { sendTimeout: Duration.millis(options.sendTimeoutMs) }),
  ...(options.checkTimeoutMs === undefined ? {} : { checkTimeout: Duration.millis(options.checkTimeoutMs) })
})

/** The limits stored in a provider row's `options` (checked when it was saved; a bad one is misconfiguration). */
export const providerLimits = (row: {
  readonly id: string
  readonly options: { readonly [key: string]: unknown }
}): Effect.Effect<ProviderLimits, ProviderMisconfigured> =>
  decodeLimitOptions(splitLimits(row.options).limits).pipe(
    Effect.map(toLimits),
    Effect.mapError((error) => {
      const issue = firstIssue(error.issue)
      const field = ["options", ...(issue?.path ?? [])].map(String).join(".")
      return new ProviderMisconfigured({
        message: `provider ${row.id}: ${field}: ${issue?.message ?? "not a valid limit"}`
      })
    })
  )
