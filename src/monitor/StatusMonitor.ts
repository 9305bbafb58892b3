import { Clock, Duration, Effect } from "effect"
import type { Lease, LeaseLost } from "../orders/Lease.js"
import type { LogEntry } from "../orders/LogEntry.js"
import { Phase } from "./Phase.js"
import { providerOrder, type RoutedJob } from "../providers/Routing.js"
import { CheckResult, ProviderTransient } from "../providers/Provider.js"
import { ResellerWords, resellerWordsFor } from "../providers/ResellerWords.js"
import { ProviderCallGuard } from "../providers/CallGuard.js"
import type { PollEngine } from "./PollEngine.js"
import { recordPollLateness } from "./PollLateness.js"

export interface WatchTiming {
  /** before the first check: one interval after a send, less after a resume */
  readonly firstDelay: Duration.Duration
  /** Clock millis of the first send (of the engine's start when not sent yet): the poll deadline counts from it */
  readonly sentAtMillis: number
}

/**
 * Polls the provider by reference, one check `pollInterval` after the previous one ended, until the order
 * settles, the deadline passes, or — only while the send is ambiguous — the provider says it never saw the
 * reference on a check made after the quiet period (`resendQuietPeriod`), the one case where a re-send (same
 * reference) is allowed. Only a status check settles an external order.
 *
 * The wait between checks is one `Effect.sleep` on the Clock followed by the next check (no Schedule, no
 * generator suspended across the sleep): while an order waits it keeps one `Watcher` and its timer.
 */
export const watchStep = (
  engine: PollEngine,
  lease: Lease,
  job: RoutedJob,
  watch: Extract<Phase, { _tag: "Watch" }>,
  timing: WatchTiming
): Effect.Effect<Phase, LeaseLost> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    // past the deadline the order goes to `manual` (docs/domain.md §4 rule 6)
    const deadlineAtMillis = timing.sentAtMillis + Duration.toMillis(engine.settings.pollDeadline)
    const watcher = new Watcher(engine, lease, job, watch, deadlineAtMillis)
    // when the next check is due: `firstDelay` from now, then one interval after each check ends
    watcher.checkDueAt = now + Duration.toMillis(timing.firstDelay)
    return Effect.flatMap(Effect.sleep(timing.firstDelay), watcher.wake)
  })

/** The state of one watch: what a sleeping order keeps between two checks. */
class Watcher {
  ambiguousSince: number | undefined
  /** a check is logged when its outcome differs from the previous one: a day of "processing" is one row */
  lastOutcome = ""
  checkDueAt = 0

  /** after each sleep: check, note when the next check is due, then answer the phase or sleep again */
  readonly wake: () => Effect.Effect<Phase, LeaseLost>

  constructor(
    readonly engine: PollEngine,
    readonly lease: Lease,
    readonly job: RoutedJob,
    readonly watch: Extract<Phase, { _tag: "Watch" }>,
    readonly deadlineAtMillis: number
  ) {
    this.ambiguousSince = watch.ambiguousSince
    // assigned here, not as a class field: run through tsx (esbuild), a field's arrow function is given its own
    // `name` property, ~350 bytes per order in the heap snapshot
    this.wake = () => Effect.flatMap(checkOnce(this), (next) => this.afterCheck(next))
  }

  private afterCheck(next: Phase | undefined): Effect.Effect<Phase, LeaseLost> {
    return Effect.flatMap(Clock.currentTimeMillis, (endedAt) => {
      const interval = this.engine.settings.pollInterval
      this.checkDueAt = endedAt + Duration.toMillis(interval)
      return next === undefined ? Effect.flatMap(Effect.sleep(interval), this.wake) : Effect.succeed(next)
    })
  }

  logIfChanged(outcome: string, response: string): LogEntry | undefined {
    if (outcome === this.lastOutcome) return undefined
    this.lastOutcome = outcome
    return { providerId: this.watch.providerId, action: "check", response, outcome }
  }

  /** "never seen" allows the re-send only once the abandoned request can no longer be in transit */
  neverSeen(since: number, log: LogEntry | undefined): Effect.Effect<Phase | undefined, LeaseLost> {
    const { lease, watch } = this
    const { settings, store } = this.engine
    return Effect.gen(function* () {
      const quietFor = (yield* Clock.currentTimeMillis) - since
      if (quietFor < Duration.toMillis(settings.resendQuietPeriod)) {
        yield* store.recordCheck(lease, ResellerWords.processing, log)
        yield* Effect.logInfo("provider has not seen the reference yet; re-send waits for the quiet period")
        return undefined
      }
      yield* store.recordCheck(lease, ResellerWords.processing, log)
      yield* Effect.logWarning("provider never saw the reference: re-sending with the same reference")
      return Phase.Send({ hop: watch.hop })
    })
  }
}

/** One check: the next phase when it settles the order (or allows a re-send), undefined to keep polling. */
const checkOnce = (self: Watcher): Effect.Effect<Phase | undefined, LeaseLost> => {
  const { lease, watch } = self
  const { settings, store, providers, gate } = self.engine
  return Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    yield* recordPollLateness(startedAt - self.checkDueAt)
    if (startedAt >= self.deadlineAtMillis) {
      yield* store.markManual(
        lease,
        "poll deadline passed without a final answer; money held for an operator"
      )
      yield* Effect.logWarning("poll deadline passed; order moved to manual")
      return Phase.Finished({ outcome: "manual" })
    }
    const order = { ...providerOrder(self.job, watch.providerId), providerOrderId: watch.providerOrderId }
    // the client first: the timeout (the provider's own, else the engine's) wraps the check alone
    const answer = yield* providers.client(watch.providerId).pipe(
      Effect.flatMap(({ client, limits }) =>
        Effect.andThen(gate.ensureFresh, client.check(order)).pipe(
          Effect.timeoutOrElse({
            duration: limits.checkTimeout ?? settings.checkTimeout,
            orElse: () =>
              Effect.fail(new ProviderTransient({ message: "no answer before the check timeout" }))
          })
        )
      ),
      Effect.provideService(ProviderCallGuard, { beforeCall: gate.ensureFresh }),
      Effect.result,
      Effect.withSpan("StatusMonitor.check", { attributes: { orderId: lease.orderId } })
    )
    if (answer._tag === "Failure") {
      yield* store.recordCheck(
        lease,
        ResellerWords.processing,
        self.logIfChanged(answer.failure._tag, answer.failure.message)
      )
      return undefined
    }
    const result = answer.success
    const log = self.logIfChanged(result._tag, result.message)
    const words = resellerWordsFor(result)
    return yield* CheckResult.$match(result, {
      Pending: () =>
        Effect.gen(function* () {
          if (self.ambiguousSince !== undefined) {
            self.ambiguousSince = undefined
            yield* store.markAwaiting(lease, { message: words })
          }
          yield* store.recordCheck(lease, words, log)
          return undefined
        }),
      Succeeded: ({ pin }) =>
        Effect.as(
          store.approve(lease, { pin, message: words }, log),
          Phase.Finished({ outcome: "approved" })
        ),
      Failed: () => Effect.as(store.reject(lease, words, log), Phase.Finished({ outcome: "rejected" })),
      // the partner will not settle it by itself: an operator here decides, the money stays held
      Looped: () =>
        store
          .recordCheck(lease, words, log)
          .pipe(
            Effect.andThen(store.markManual(lease, words)),
            Effect.andThen(
              Effect.logWarning("a Tawsil partner holds the order: its chain loops; moved to manual")
            ),
            Effect.as(Phase.Finished({ outcome: "manual" }))
          ),
      NotFound: () =>
        self.ambiguousSince !== undefined
          ? self.neverSeen(self.ambiguousSince, log)
          : Effect.as(
              Effect.andThen(
                Effect.logError("provider lost an order it had accepted; still polling"),
                store.recordCheck(lease, words, log)
              ),
              undefined
            )
    })
  })
}
