import { Duration, Schedule } from "effect"
import type { DispatchSettings } from "./DispatchConfig.js"

/**
 * Delays between retries of a send the provider did not accept: base, 2×base, 4×base … capped, optionally
 * jittered, at most `retryAttempts` retries. Used only for `ProviderTransient`: nothing else is safe to repeat.
 */
export const transientRetrySchedule = (settings: DispatchSettings) => {
  const exponential = Schedule.exponential(settings.retryBase, 2).pipe(
    Schedule.modifyDelay((delay) => Duration.min(delay, settings.retryCap))
  )
  return (settings.retryJitter ? Schedule.jittered(exponential) : exponential).pipe(
    Schedule.intersect(Schedule.recurs(settings.retryAttempts))
  )
}
