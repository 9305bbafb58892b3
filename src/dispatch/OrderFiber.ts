import { Clock, Duration, Effect } from "effect"
import type { NewOrderJob } from "../orders/DispatchHandoff.js"
import { watchStep } from "../monitor/StatusMonitor.js"
import { countOrderFinished } from "../observability/Metrics.js"
import { DispatchConfig } from "./DispatchConfig.js"
import type { Lease } from "./Lease.js"
import { type DispatchJob, OrderStore } from "./OrderStore.js"
import { Phase } from "./Phase.js"
import { routeOf } from "./Routing.js"
import { sendStep } from "./SendStep.js"

/**
 * Where a (re)started fiber picks an order up. `queued` → send. `sending` → a send may have reached the provider
 * before the previous owner stopped, so check by reference first (never re-send blindly). `awaiting` → keep
 * polling, the next check due one interval after the last one.
 */
const resumePhase = (job: DispatchJob, route: ReadonlyArray<string>, resumedAt: number): Phase => {
  const hop = Math.max(0, job.provider_id === null ? 0 : route.indexOf(job.provider_id))
  switch (job.dispatch_state) {
    case "queued":
      return Phase.Send({ hop: 0 })
    case "sending":
      return job.provider_id === null
        ? Phase.Send({ hop: 0 })
        : Phase.Watch({
            providerId: job.provider_id,
            hop,
            // the previous owner's last attempt may have left just before it stopped: count from now
            ambiguousSince: resumedAt,
            providerOrderId: job.provider_order_id ?? undefined
          })
    case "awaiting":
      return Phase.Watch({
        providerId: job.provider_id ?? route[0] ?? "",
        hop,
        ambiguousSince: undefined,
        providerOrderId: job.provider_order_id ?? undefined
      })
    default:
      return Phase.Finished({ outcome: job.dispatch_state })
  }
}

/** The whole life of one order in the engine: send (with retries and fallback), then watch until settled. */
export const runOrder = (lease: Lease, fresh?: NewOrderJob) =>
  Effect.gen(function* () {
    const settings = yield* DispatchConfig
    const store = yield* OrderStore
    // a fiber started right after its order's commit already has the row; a resumed one reads it back
    const job: DispatchJob | undefined =
      fresh === undefined
        ? yield* store.load(lease.orderId)
        : { ...fresh, seconds_since_sent: null, seconds_since_checked: null }
    const route = job === undefined ? [] : routeOf(job, settings)
    const startedAt = yield* Clock.currentTimeMillis
    if (
      job === undefined ||
      job.status !== "pending" ||
      resumePhase(job, route, startedAt)._tag === "Finished"
    ) {
      yield* store.complete(lease)
      return "nothing to do"
    }
    let sentAtMillis = job.seconds_since_sent === null ? undefined : startedAt - job.seconds_since_sent * 1000
    let phase = resumePhase(job, route, startedAt)
    let firstDelay =
      phase._tag === "Watch" && phase.ambiguousSince === undefined
        ? Duration.subtract(
            settings.pollInterval,
            // whole milliseconds: the database's fractional seconds would put the Clock between milliseconds
            Duration.millis(
              Math.round(Math.min(job.seconds_since_checked ?? job.seconds_since_sent ?? 0, 1e9) * 1000)
            )
          )
        : Duration.zero

    while (phase._tag !== "Finished") {
      if (phase._tag === "Send") {
        sentAtMillis ??= yield* Clock.currentTimeMillis
        phase = yield* sendStep(lease, job, phase.hop)
        firstDelay = settings.pollInterval
      } else {
        const deadlineAtMillis = (sentAtMillis ?? startedAt) + Duration.toMillis(settings.pollDeadline)
        phase = yield* watchStep(lease, job, phase, { firstDelay, deadlineAtMillis })
      }
    }
    yield* Effect.logInfo("order finished in the engine").pipe(
      Effect.annotateLogs({ outcome: phase.outcome })
    )
    yield* countOrderFinished(phase.outcome)
    return phase.outcome
  }).pipe(
    Effect.catchTag("LeaseLost", (lost) =>
      Effect.as(
        Effect.logInfo("lease lost: another owner or an operator has this order; stopping").pipe(
          Effect.annotateLogs({ step: lost.step })
        ),
        "lease lost"
      )
    ),
    Effect.annotateLogs({ module: "OrderFiber", orderId: lease.orderId })
  )
