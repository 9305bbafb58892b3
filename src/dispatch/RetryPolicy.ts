import { Duration, Effect, Schedule } from "effect"
import type { DispatchSettings } from "./DispatchConfig.js"

/**
 * Delays between retries of a send the provider did not accept: base, 2×base, 4×base … capped, optionally
 * jittered, at most `retryAttempts` retries. Used only for `ProviderTransient`: nothing else is safe to repeat.
 */
export const transientRetrySchedule = (settings: DispatchSettings) => {
  const exponential = Schedule.exponential(settings.retryBase, 2).pipe(
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, settings.retryCap)))
  )
  // `Schedule.max`: recurs while both recur, waiting the longer delay (v3's `Schedule.intersect`)
  return Schedule.max([
    settings.retryJitter ? Schedule.jittered(exponential) : exponential,
    Schedule.recurs(settings.retryAttempts)
  ])
}
