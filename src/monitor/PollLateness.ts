import { Effect, Metric } from "effect"
import { pollLateness } from "../observability/Metrics.js"

/**
 * Records how late one status check started after it was due (`tawsil_poll_lateness_seconds`): event-loop and
 * scheduling delay, never the check's own time. Called on every check of every order, so it allocates nothing
 * beyond the metric update: the monitor keeps the due time itself.
 */
export const recordPollLateness = (lateMillis: number): Effect.Effect<void> =>
  Metric.update(pollLateness, Math.max(0, lateMillis) / 1000)
