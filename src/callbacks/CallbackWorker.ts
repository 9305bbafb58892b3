import { Clock, Context, Duration, Effect, Layer } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { callbackBody } from "./CallbackEvent.js"
import { eventIdHeader, sign, signatureHeader } from "./CallbackSignature.js"
import { type AttemptOutcome, describeOutcome, postCallback } from "./CallbackPost.js"
import { type ClaimedDelivery, deliveryQueue } from "./DeliveryQueue.js"
import { TawsilTables } from "../db/Tables.js"

/** The delivery worker's timing; the defaults are the contract (README → Callbacks), tests may shorten them. */
export interface CallbackTiming {
  readonly pollInterval: Duration.Duration
  readonly timeout: Duration.Duration
  readonly firstBackoff: Duration.Duration
  readonly maxBackoff: Duration.Duration
  readonly giveUpAfter: Duration.Duration
  readonly batch: number
}

export const CallbackSettings = Context.Reference<CallbackTiming>("tawsil/callbacks/CallbackSettings", {
  defaultValue: () => ({
    pollInterval: Duration.seconds(1),
    timeout: Duration.seconds(10),
    firstBackoff: Duration.seconds(5),
    maxBackoff: Duration.minutes(10),
    giveUpAfter: Duration.hours(24),
    batch: 20
  })
})

/** 5 s after the first failed attempt, doubling, at most 10 min (with the default settings). */
const backoffAfter = (attempt: number, settings: CallbackTiming) =>
  Duration.min(
    Duration.times(settings.firstBackoff, 2 ** Math.min(Math.max(attempt - 1, 0), 20)),
    settings.maxBackoff
  )

/**
 * One fiber per engine node: claims due callback events (`DeliveryQueue.ts`), POSTs each signed to its account's
 * URL with a timeout, marks it delivered on a 2xx, else due again after a backoff until it is 24 h old, then
 * `failed`. Time is the Clock's, lined up with the database's once at start, so a TestClock moves it.
 */
export const CallbackWorkerLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const client = yield* HttpClient.HttpClient
    const settings = yield* CallbackSettings
    const queue = deliveryQueue(sql, t)
    const databaseStart = yield* Effect.orDie(queue.databaseNow)
    const clockStart = yield* Clock.currentTimeMillis
    const asOf = Effect.map(Clock.currentTimeMillis, (now) => databaseStart + (now - clockStart))

    const attempt = (row: ClaimedDelivery): Effect.Effect<AttemptOutcome> => {
      if (row.callback_url === null || row.callback_secret === null) {
        return Effect.succeed({ _tag: "NoCallbackUrl" })
      }
      const url = row.callback_url
      const secret = row.callback_secret
      return Effect.gen(function* () {
        const body = callbackBody(row.id, row.payload)
        const unixSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const request = HttpClientRequest.post(url).pipe(
          HttpClientRequest.bodyText(body, "application/json"),
          HttpClientRequest.setHeaders({
            [signatureHeader]: sign(secret, unixSeconds, body),
            [eventIdHeader]: row.id
          })
        )
        return yield* postCallback(client, request, settings.timeout, [secret, url])
      })
    }

    const deliver = (row: ClaimedDelivery) =>
      Effect.gen(function* () {
        const outcome = yield* attempt(row)
        const annotations = { deliveryId: row.id, orderId: row.order_id, attempt: row.attempts }
        if (outcome._tag === "Delivered") {
          yield* queue.delivered(row.id)
          yield* Effect.logInfo("callback delivered").pipe(
            Effect.annotateLogs({ ...annotations, status: outcome.status })
          )
          return
        }
        const lastError = describeOutcome(outcome)
        yield* queue.retryLater(
          row.id,
          lastError,
          yield* asOf,
          backoffAfter(row.attempts, settings),
          settings.giveUpAfter
        )
        yield* Effect.logWarning("callback attempt failed").pipe(
          Effect.annotateLogs({ ...annotations, error: lastError })
        )
      }).pipe(Effect.orDie)

    const lease = Duration.sum(settings.timeout, Duration.seconds(5))
    /** One round: the due events claimed and attempted; answers how many there were. */
    const round = Effect.gen(function* () {
      const claimed = yield* queue.claim(yield* asOf, settings.batch, lease)
      yield* Effect.forEach(claimed, deliver, { concurrency: "unbounded", discard: true })
      return claimed.length
    }).pipe(Effect.catchCause((cause) => Effect.as(Effect.logWarning("callback round failed", cause), 0)))

    const loop = Effect.gen(function* () {
      while (true) {
        const claimed = yield* round
        if (claimed < settings.batch) yield* Effect.sleep(settings.pollInterval)
      }
    })
    yield* Effect.forkScoped(loop)
  })
)
