import { Clock, Duration, Effect, Option, Schedule } from "effect"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import type { Lease, LeaseLost } from "../dispatch/Lease.js"
import { type DispatchJob, type LogEntry, OrderStore } from "../dispatch/OrderStore.js"
import { Phase } from "../dispatch/Phase.js"
import { providerOrder } from "../dispatch/Routing.js"
import { CheckResult, ProviderTransient } from "../providers/Provider.js"
import { Providers } from "../providers/Providers.js"
import { ResellerWords, resellerWordsFor } from "../providers/ResellerWords.js"
import { ProviderCallGuard } from "../providers/CallGuard.js"
import { SendGate } from "../dispatch/SendGate.js"
import { recordPollLateness } from "../observability/PollLateness.js"

export interface WatchTiming {
  /** before the first check: one interval after a send, less after a resume */
  readonly firstDelay: Duration.Duration
  /** Clock millis after which the order goes to `manual` (DOMAIN.md §4 rule 6) */
  readonly deadlineAtMillis: number
}

/**
 * Polls the provider by reference on `Schedule.spaced(pollInterval)` until the order settles, the deadline
 * passes, or — only while the send is ambiguous — the provider says it never saw the reference on a check made
 * after the quiet period (`resendQuietPeriod`), the one case where a re-send (same reference) is allowed. Only a
 * status check settles an external order.
 */
export const watchStep = (
  lease: Lease,
  job: DispatchJob,
  watch: Extract<Phase, { _tag: "Watch" }>,
  timing: WatchTiming
) =>
  Effect.gen(function* () {
    const settings = yield* DispatchConfig
    const store = yield* OrderStore
    const providers = yield* Providers
    const gate = yield* SendGate
    const order = { ...providerOrder(job, watch.providerId), providerOrderId: watch.providerOrderId }
    let ambiguousSince = watch.ambiguousSince
    let lastOutcome = ""

    // a check is logged when its outcome differs from the previous one: a day of "processing" is one row
    const logIfChanged = (outcome: string, response: string): LogEntry | undefined => {
      if (outcome === lastOutcome) return undefined
      lastOutcome = outcome
      return { providerId: watch.providerId, action: "check", response, outcome }
    }

    // "never seen" allows the re-send only once the abandoned request can no longer be in transit
    const neverSeen = (since: number, log: LogEntry | undefined) =>
      Effect.gen(function* () {
        const quietFor = (yield* Clock.currentTimeMillis) - since
        if (quietFor < Duration.toMillis(settings.resendQuietPeriod)) {
          yield* store.recordCheck(lease, ResellerWords.processing, log)
          yield* Effect.logInfo("provider has not seen the reference yet; re-send waits for the quiet period")
          return Option.none<Phase>()
        }
        yield* store.recordCheck(lease, ResellerWords.processing, log)
        yield* Effect.logWarning("provider never saw the reference: re-sending with the same reference")
        return Option.some<Phase>(Phase.Send({ hop: watch.hop }))
      })

    // when the next check is due: `firstDelay` from now, then one interval after each check ends (Schedule.spaced)
    let checkDueAt = (yield* Clock.currentTimeMillis) + Duration.toMillis(timing.firstDelay)
    const intervalMillis = Duration.toMillis(settings.pollInterval)

    const checkOnce: Effect.Effect<Option.Option<Phase>, LeaseLost> = Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      yield* recordPollLateness(startedAt - checkDueAt)
      if (startedAt >= timing.deadlineAtMillis) {
        yield* store.markManual(
          lease,
          "poll deadline passed without a final answer; money held for an operator"
        )
        yield* Effect.logWarning("poll deadline passed; order moved to manual")
        return Option.some(Phase.Finished({ outcome: "manual" }))
      }
      const answer = yield* providers.client(watch.providerId).pipe(
        Effect.flatMap(({ client }) => Effect.andThen(gate.ensureFresh, client.check(order))),
        Effect.provideService(ProviderCallGuard, { beforeCall: gate.ensureFresh }),
        Effect.timeoutOrElse({
          duration: settings.checkTimeout,
          orElse: () => Effect.fail(new ProviderTransient({ message: "no answer before the check timeout" }))
        }),
        Effect.result,
        Effect.withSpan("StatusMonitor.check", { attributes: { orderId: lease.orderId } })
      )
      if (answer._tag === "Failure") {
        yield* store.recordCheck(
          lease,
          ResellerWords.processing,
          logIfChanged(answer.failure._tag, answer.failure.message)
        )
        return Option.none()
      }
      const result = answer.success
      const log = logIfChanged(result._tag, result.message)
      const words = resellerWordsFor(result)
      return yield* CheckResult.$match(result, {
        Pending: () =>
          Effect.gen(function* () {
            if (ambiguousSince !== undefined) {
              ambiguousSince = undefined
              yield* store.markAwaiting(lease, { message: words })
            }
            yield* store.recordCheck(lease, words, log)
            return Option.none()
          }),
        Succeeded: ({ pin }) =>
          Effect.as(
            store.approve(lease, { pin, message: words }, log),
            Option.some(Phase.Finished({ outcome: "approved" }))
          ),
        Failed: () =>
          Effect.as(store.reject(lease, words, log), Option.some(Phase.Finished({ outcome: "rejected" }))),
        NotFound: () =>
          ambiguousSince !== undefined
            ? neverSeen(ambiguousSince, log)
            : Effect.as(
                Effect.andThen(
                  Effect.logError("provider lost an order it had accepted; still polling"),
                  store.recordCheck(lease, words, log)
                ),
                Option.none()
              )
      })
    })

    const dueAfterThis = Effect.map(Clock.currentTimeMillis, (endedAt) => {
      checkDueAt = endedAt + intervalMillis
    })
    yield* Effect.sleep(timing.firstDelay)
    // spaced checks while none settles the order; the repeat answers the last check's outcome
    const untilSettled = Schedule.spaced(settings.pollInterval).pipe(
      Schedule.while(({ input }: Schedule.InputMetadata<Option.Option<Phase>>) => Option.isNone(input)),
      Schedule.passthrough
    )
    const next = yield* checkOnce.pipe(
      Effect.tap(() => dueAfterThis),
      Effect.repeat(untilSettled)
    )
    return Option.getOrElse(next, () => Phase.Finished({ outcome: "stopped" }))
  })
