import { Clock, Deferred, Effect } from "effect"
import { ProviderCallGuard } from "../providers/CallGuard.js"
import type { PlaceResult, ProviderError } from "../providers/Provider.js"
import { ProviderAmbiguous } from "../providers/Provider.js"
import { Providers } from "../providers/Providers.js"
import { ResellerWords } from "../providers/ResellerWords.js"
import { DispatchConfig } from "./DispatchConfig.js"
import type { Lease, LeaseLost } from "../orders/Lease.js"
import type { LogEntry } from "../orders/LogEntry.js"
import { OrderStore } from "../orders/OrderStore.js"
import { Phase } from "../monitor/Phase.js"
import { transientRetrySchedule } from "./RetryPolicy.js"
import { SendGate } from "./SendGate.js"
import { providerOrder, type RoutedJob, routeOf } from "../providers/Routing.js"

/**
 * One send of the order to the provider at `hop` of its route, with typed retries. What happens next depends on
 * the error's tag (docs/domain.md §4 rule 4): accepted → watch; ambiguous → watch without trusting it was sent;
 * unavailable / misconfigured / transient retries exhausted → the next hop, or manual; rejected → refund.
 */
export const sendStep = (lease: Lease, job: RoutedJob, hop: number, afterLoop = false) =>
  Effect.gen(function* () {
    const settings = yield* DispatchConfig
    const store = yield* OrderStore
    const providers = yield* Providers
    const gate = yield* SendGate
    const route = routeOf(job, settings)
    const providerId = route[hop]
    if (providerId === undefined) {
      yield* store.markManual(
        lease,
        afterLoop ? ResellerWords.loopDetected : "no provider can serve this order"
      )
      return Phase.Finished({ outcome: "manual" })
    }
    const fallbackFrom = hop > 0 ? route[hop - 1] : undefined
    const order = providerOrder(job, providerId)

    const request = { reference: order.reference, quantity: order.quantity }
    const sendLog = (outcome: string, response: string): LogEntry => ({
      providerId,
      action: "send",
      request,
      response,
      outcome
    })

    // when the latest attempt started (its request left, for wire adapters): the start of an ambiguity
    let attemptStartedAt = yield* Clock.currentTimeMillis
    const stampStart = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        attemptStartedAt = now
      })
    )

    // an interrupted send (shutdown, lost lease) is not an attempt: nothing is written, and the next owner of the
    // order finds it `sending` and checks by reference before any re-send
    const attempt = Effect.gen(function* () {
      const { reach, client, limits } = yield* providers.client(providerId)
      yield* store.markSending(lease, providerId, fallbackFrom)
      yield* stampStart
      // a remote kind's send timer starts when its request really leaves: it may first wait for its rate limit
      const leaving = yield* Deferred.make<void>()
      const guard = {
        beforeCall: gate.ensureFresh.pipe(
          Effect.andThen(stampStart),
          Effect.andThen(Deferred.succeed(leaving, undefined)),
          Effect.asVoid
        )
      }
      const timer = Effect.andThen(
        reach === "remote" ? Deferred.await(leaving) : Effect.void,
        Effect.sleep(limits.sendTimeout ?? settings.sendTimeout)
      ).pipe(
        Effect.andThen(Effect.fail(new ProviderAmbiguous({ message: "no answer before the send timeout" })))
      )
      // the gate counts the send and its recording: a draining node waits until both are done
      return yield* gate
        .track(
          Effect.raceFirst(
            client.place(order).pipe(Effect.provideService(ProviderCallGuard, guard)),
            timer
          ).pipe(Effect.flatMap(recordPlaced))
        )
        .pipe(
          Effect.tapError((error) =>
            error._tag === "LeaseLost"
              ? Effect.void
              : store.failedAttempt(lease, ResellerWords.processing, sendLog(error._tag, error.message))
          )
        )
    })

    const recordPlaced = (placed: PlaceResult): Effect.Effect<Phase, LeaseLost> =>
      placed._tag === "Delivered"
        ? store
            .approve(
              lease,
              { pin: placed.pin, message: ResellerWords.delivered },
              sendLog("Delivered", placed.message)
            )
            .pipe(Effect.as(Phase.Finished({ outcome: "approved" })))
        : store
            .markAwaiting(
              lease,
              { ...placed, message: ResellerWords.processing },
              sendLog("Accepted", placed.message)
            )
            .pipe(
              Effect.as(
                Phase.Watch({
                  providerId,
                  hop,
                  ambiguousSince: undefined,
                  providerOrderId: placed.providerOrderId ?? job.providerOrderId
                })
              )
            )

    const result = yield* attempt.pipe(
      Effect.retry({
        schedule: transientRetrySchedule(settings),
        while: (e) => e._tag === "ProviderTransient"
      }),
      Effect.result
    )

    if (result._tag === "Success") return result.success
    if (result.failure._tag === "LeaseLost") return yield* result.failure
    return yield* onSendError(lease, providerId, hop, result.failure, attemptStartedAt)
  }).pipe(Effect.withSpan("SendStep.send", { attributes: { orderId: lease.orderId, hop } }))

const onSendError = (
  lease: Lease,
  providerId: string,
  hop: number,
  error: ProviderError,
  attemptStartedAt: number
) =>
  Effect.gen(function* () {
    const store = yield* OrderStore
    switch (error._tag) {
      case "ProviderAmbiguous":
        yield* Effect.logWarning("send ambiguous: checking by reference before any re-send")
        yield* store.note(lease, ResellerWords.processing)
        return Phase.Watch({ providerId, hop, ambiguousSince: attemptStartedAt, providerOrderId: undefined })
      case "ProviderRejected":
        yield* store.reject(lease, ResellerWords.rejected)
        yield* Effect.logInfo("order rejected by the provider and refunded")
        return Phase.Finished({ outcome: "rejected" })
      case "ProviderMisconfigured":
        yield* Effect.logError("provider misconfigured").pipe(
          Effect.annotateLogs({ providerId, reason: error.message })
        )
        return Phase.Send({ hop: hop + 1, ...(error.loop === true ? { loop: true } : {}) })
      case "ProviderUnavailable":
      case "ProviderTransient":
        yield* Effect.logWarning("provider cannot serve the order").pipe(
          Effect.annotateLogs({ providerId, reason: error._tag, detail: error.message })
        )
        return Phase.Send({ hop: hop + 1 })
    }
  })
