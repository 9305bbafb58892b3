import { Effect, Exit } from "effect"
import type { ProviderError } from "../providers/Provider.js"
import { ProviderAmbiguous } from "../providers/Provider.js"
import { Providers } from "../providers/Providers.js"
import { DispatchConfig } from "./DispatchConfig.js"
import type { Lease } from "./Lease.js"
import type { DispatchJob } from "./OrderStore.js"
import { OrderStore } from "./OrderStore.js"
import { Phase } from "./Phase.js"
import { transientRetrySchedule } from "./RetryPolicy.js"
import { providerOrder, routeOf } from "./Routing.js"

/**
 * One send of the order to the provider at `hop` of its route, with typed retries. What happens next depends on
 * the error's tag (DOMAIN.md §4 rule 4): accepted → watch; ambiguous → watch without trusting it was sent;
 * unavailable / misconfigured / transient retries exhausted → the next hop, or manual; rejected → refund.
 */
export const sendStep = (lease: Lease, job: DispatchJob, hop: number) =>
  Effect.gen(function* () {
    const settings = yield* DispatchConfig
    const store = yield* OrderStore
    const providers = yield* Providers
    const route = routeOf(job, settings)
    const providerId = route[hop]
    if (providerId === undefined) {
      yield* store.markManual(lease, "no provider can serve this order")
      return Phase.Finished({ outcome: "manual" })
    }
    const fallbackFrom = hop > 0 ? route[hop - 1] : undefined
    const order = providerOrder(job, providerId)

    const attempt = Effect.gen(function* () {
      const { client } = yield* providers.client(providerId)
      yield* store.markSending(lease, providerId, fallbackFrom)
      return yield* client.place(order).pipe(
        Effect.timeoutFail({
          duration: settings.sendTimeout,
          onTimeout: () => new ProviderAmbiguous({ message: "no answer before the send timeout" })
        }),
        Effect.onExit((exit) =>
          // an interrupted send (shutdown, lost lease) is not an attempt: the next owner checks before re-sending
          Exit.isInterrupted(exit) ? Effect.void : Effect.ignore(store.countAttempt(lease))
        )
      )
    })

    const result = yield* attempt.pipe(
      Effect.tapError((error) =>
        error._tag === "LeaseLost"
          ? Effect.void
          : logSend(lease, providerId, order, error._tag, error.message)
      ),
      Effect.retry({
        schedule: transientRetrySchedule(settings),
        while: (e) => e._tag === "ProviderTransient"
      }),
      Effect.either
    )

    if (result._tag === "Right") {
      const placed = result.right
      yield* logSend(lease, providerId, order, placed._tag, placed.message)
      if (placed._tag === "Delivered") {
        yield* store.approve(lease, { pin: placed.pin, message: placed.message })
        return Phase.Finished({ outcome: "approved" })
      }
      yield* store.markAwaiting(lease, placed)
      return Phase.Watch({ providerId, hop, ambiguous: false })
    }
    if (result.left._tag === "LeaseLost") return yield* result.left
    return yield* onSendError(lease, providerId, hop, result.left)
  }).pipe(Effect.withSpan("SendStep.send", { attributes: { orderId: lease.orderId, hop } }))

const onSendError = (lease: Lease, providerId: string, hop: number, error: ProviderError) =>
  Effect.gen(function* () {
    const store = yield* OrderStore
    switch (error._tag) {
      case "ProviderAmbiguous":
        yield* Effect.logWarning("send ambiguous: checking by reference before any re-send")
        yield* store.note(lease, `ambiguous send: ${error.message}`)
        return Phase.Watch({ providerId, hop, ambiguous: true })
      case "ProviderRejected":
        yield* store.reject(lease, error.message)
        yield* Effect.logInfo("order rejected by the provider and refunded")
        return Phase.Finished({ outcome: "rejected" })
      case "ProviderMisconfigured":
        yield* Effect.logError("provider misconfigured").pipe(
          Effect.annotateLogs({ providerId, reason: error.message })
        )
        return Phase.Send({ hop: hop + 1 })
      case "ProviderUnavailable":
      case "ProviderTransient":
        yield* Effect.logWarning("provider cannot serve the order").pipe(
          Effect.annotateLogs({ providerId, reason: error._tag, detail: error.message })
        )
        return Phase.Send({ hop: hop + 1 })
    }
  })

const logSend = (
  lease: Lease,
  providerId: string,
  order: { readonly reference: string; readonly quantity: number },
  outcome: string,
  response: string
) =>
  Effect.flatMap(OrderStore, (store) =>
    store.log({
      orderId: lease.orderId,
      providerId,
      action: "send",
      request: { reference: order.reference, quantity: order.quantity },
      response,
      outcome
    })
  )
