import { Clock, Duration, Effect, Metric } from "effect"
import { pollLateness } from "./Metrics.js"

/**
 * Measures how late each status check of one order starts (`tawsil_poll_lateness_seconds`). Make it before the
 * first delay: the first check is due `firstDelay` from now; each later one `interval` after the previous check
 * ended, as `Schedule.spaced` intends. Lateness is event-loop and scheduling delay, never the check's own time.
 */
export const pollLatenessTracker = (firstDelay: Duration.DurationInput) =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    let dueAtMillis = now + Duration.toMillis(firstDelay)
    return <A, E, R>(
      check: Effect.Effect<A, E, R>,
      interval: Duration.DurationInput
    ): Effect.Effect<A, E, R> =>
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis
        yield* Metric.update(pollLateness, Math.max(0, startedAt - dueAtMillis) / 1000)
        return yield* check.pipe(
          Effect.ensuring(
            Effect.map(Clock.currentTimeMillis, (endedAt) => {
              dueAtMillis = endedAt + Duration.toMillis(interval)
            })
          )
        )
      })
  })
