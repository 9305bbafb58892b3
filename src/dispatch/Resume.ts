import { Duration } from "effect"
import type { DispatchJob } from "../orders/DispatchJob.js"
import { Phase } from "../monitor/Phase.js"
import { type RoutedJob, routeOf } from "../providers/Routing.js"
import type { DispatchSettings } from "./DispatchConfig.js"

/** Where an order's run starts: its first phase, the wait before a watch's first check, when it was sent. */
export interface Resumption {
  readonly phase: Exclude<Phase, { _tag: "Finished" }>
  readonly firstDelay: Duration.Duration
  readonly sentAtMillis: number | undefined
}

/**
 * Where a (re)started fiber picks an order up. `queued` → send. `sending` → a send may have reached the provider
 * before the previous owner stopped, so check by reference first (never re-send blindly). `awaiting` → keep
 * polling, the next check due one interval after the last one.
 */
const resumePhase = (job: DispatchJob, route: ReadonlyArray<string>, resumedAt: number): Phase => {
  const hop = Math.max(0, job.providerId === undefined ? 0 : route.indexOf(job.providerId))
  switch (job.dispatchState) {
    case "queued":
      return Phase.Send({ hop: 0 })
    case "sending":
      return job.providerId === undefined
        ? Phase.Send({ hop: 0 })
        : Phase.Watch({
            providerId: job.providerId,
            hop,
            // the previous owner's last attempt may have left just before it stopped: count from now
            ambiguousSince: resumedAt,
            providerOrderId: job.providerOrderId
          })
    case "awaiting":
      return Phase.Watch({
        providerId: job.providerId ?? route[0] ?? "",
        hop,
        ambiguousSince: undefined,
        providerOrderId: job.providerOrderId
      })
    default:
      return Phase.Finished({ outcome: job.dispatchState })
  }
}

/**
 * Where the order stands at `startedAt` (Clock millis) and for how long (seconds since its first send and its last
 * check, undefined when never, measured on the Clock that wrote them: `orders/BusinessTime.ts`). A watch's first
 * check is due one poll interval after the last check (or the send), at once when that is past: on a TestClock, a
 * takeover at 19 s of an order last checked at 10 s checks at 20 s. `undefined`: nothing left to do (not pending,
 * or finished).
 */
export const resumption = (
  job: DispatchJob,
  settings: DispatchSettings,
  startedAt: number,
  secondsSinceSent: number | undefined,
  secondsSinceChecked: number | undefined
): Resumption | undefined => {
  const phase = job.status === "pending" ? resumePhase(job, routeOf(job, settings), startedAt) : undefined
  if (phase === undefined || phase._tag === "Finished") return undefined
  const firstDelay =
    phase._tag === "Watch" && phase.ambiguousSince === undefined
      ? Duration.max(
          Duration.zero,
          Duration.subtract(
            settings.pollInterval,
            // whole milliseconds: the seconds carry the float error of a division by 1000
            Duration.millis(Math.round(Math.min(secondsSinceChecked ?? secondsSinceSent ?? 0, 1e9) * 1000))
          )
        )
      : Duration.zero
  const sentAtMillis =
    secondsSinceSent === undefined ? undefined : startedAt - Math.round(secondsSinceSent * 1000)
  return { phase, firstDelay, sentAtMillis }
}

/** The fields a long-running order fiber keeps: not the whole row (account, price, hashes, dates, …). */
export const routedJob = (job: DispatchJob): RoutedJob => ({
  id: job.id,
  reference: job.reference,
  providerOrderId: job.providerOrderId,
  quantity: job.quantity,
  playerId: job.playerId,
  extra: job.extra,
  mappings: job.mappings,
  routeOverride: job.routeOverride,
  route: job.route,
  chain: job.chain
})
