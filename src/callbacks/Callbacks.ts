import { Context, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { AccountNotFound } from "../orders/Account.js"
import {
  CallbackDelivery,
  CallbackDeliveryNotFound,
  type CallbackRequest,
  CallbackSet,
  type DeliveryState
} from "./CallbackSchemas.js"
import { newCallbackSecret } from "./CallbackSignature.js"
import { TawsilTables } from "../db/Tables.js"

interface DeliveryRow {
  readonly id: string
  readonly account_id: string
  readonly order_id: string
  readonly state: DeliveryState
  readonly attempts: number
  readonly next_attempt_at: Date
  readonly last_error: string | null
  readonly created_at: Date
  readonly delivered_at: Date | null
}

const toDelivery = (row: DeliveryRow) =>
  new CallbackDelivery({
    id: row.id,
    accountId: row.account_id,
    orderId: row.order_id,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: DateTime.fromDateUnsafe(row.next_attempt_at),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: DateTime.fromDateUnsafe(row.created_at),
    ...(row.delivered_at === null ? {} : { deliveredAt: DateTime.fromDateUnsafe(row.delivered_at) })
  })

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * An account's callback URL and signing secret (set, shown once, removed), and the deliveries an operator sees
 * and replays. The worker that delivers them is `CallbackWorker.ts`.
 */
export class Callbacks extends Context.Service<Callbacks>()("tawsil/callbacks/Callbacks", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const columns = sql`id, account_id, order_id, state, attempts, next_attempt_at, last_error, created_at,
                        delivered_at`

    const accountNotFound = (accountId: string) =>
      new AccountNotFound({ message: "account not found", accountId })

    /** Sets the account's callback; the answer is the only place the secret (given or generated) is shown. */
    const set = Effect.fn("Callbacks.set")(function* (accountId: string, request: CallbackRequest) {
      const secret = request.secret ?? newCallbackSecret()
      const rows = yield* sql`
        update ${t.accounts} set callback_url = ${request.url}, callback_secret = ${secret}
        where id = ${accountId} returning id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* accountNotFound(accountId)
      yield* Effect.logInfo("callback set").pipe(Effect.annotateLogs({ accountId }))
      return new CallbackSet({ url: request.url, secret })
    })

    /** Removes the account's callback: later settlements queue nothing (queued events stay). */
    const remove = Effect.fn("Callbacks.remove")(function* (accountId: string) {
      const rows = yield* sql`
        update ${t.accounts} set callback_url = null, callback_secret = null
        where id = ${accountId} returning id`.pipe(Effect.orDie)
      if (rows.length === 0) return yield* accountNotFound(accountId)
      yield* Effect.logInfo("callback removed").pipe(Effect.annotateLogs({ accountId }))
    })

    /** Deliveries in `state` (all when absent), newest first, at most 200. */
    const list = (state: DeliveryState | undefined) =>
      sql<DeliveryRow>`
        select ${columns} from ${t.callback_deliveries}
        ${state === undefined ? sql`` : sql`where state = ${state}`}
        order by created_at desc, seq desc limit 200`.pipe(
        Effect.map((rows) => rows.map(toDelivery)),
        Effect.orDie,
        Effect.withSpan("Callbacks.list")
      )

    /** The delivery becomes pending and due now (one more attempt, then its usual retries while under 24 h old). */
    const replay = Effect.fn("Callbacks.replay")(function* (deliveryId: string) {
      const notFound = new CallbackDeliveryNotFound({ message: "callback delivery not found", deliveryId })
      if (!uuidPattern.test(deliveryId)) return yield* notFound
      const rows = yield* sql<DeliveryRow>`
        update ${t.callback_deliveries} set state = 'pending', next_attempt_at = now(), delivered_at = null
        where id = ${deliveryId} returning ${columns}`.pipe(Effect.orDie)
      const row = rows[0]
      if (row === undefined) return yield* notFound
      yield* Effect.logInfo("callback replayed").pipe(Effect.annotateLogs({ deliveryId }))
      return toDelivery(row)
    })

    return { set, remove, list, replay } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
