import { Duration, Effect } from "effect"
import type { SqlClient } from "effect/sql"
import type { CallbackSnapshot } from "./CallbackEvent.js"
import type { Tables } from "../db/Tables.js"

/** A claimed delivery: the event, its attempt number (this one included) and where it goes. */
export interface ClaimedDelivery {
  readonly id: string
  readonly order_id: string
  readonly account_id: string
  readonly payload: CallbackSnapshot
  readonly attempts: number
  /** null when the account removed its callback after the event was queued */
  readonly callback_url: string | null
  readonly callback_secret: string | null
}

/**
 * The statements of the delivery worker over `callback_deliveries`. `asOf` (epoch milliseconds) is the
 * worker's Clock read against the database's: never earlier than the database's `now()`, later when a test's
 * TestClock has been moved on (`CallbackWorker.ts`).
 */
export const deliveryQueue = (sql: SqlClient.SqlClient, t: Tables) => {
  const at = (asOfMillis: number) => sql`greatest(now(), to_timestamp(${asOfMillis}::float8 / 1000))`
  const plus = (asOfMillis: number, duration: Duration.Duration) =>
    sql`(${at(asOfMillis)} + make_interval(secs => ${Duration.toSeconds(duration)}::float8))`

  /**
   * Up to `limit` due events, each the earliest pending one of its order (a later event never overtakes an earlier
   * one), locked while claimed (`skip locked`: several engine nodes share the table). Each gets its attempt counted
   * and `lease` until it is due again: if this node dies mid-attempt, another retries after it (at least once).
   */
  const claim = (asOfMillis: number, limit: number, lease: Duration.Duration) =>
    sql<ClaimedDelivery>`
      with due as (
        select d.id from ${t.callback_deliveries} d
        where d.state = 'pending' and d.next_attempt_at <= ${at(asOfMillis)}
          and not exists (select from ${t.callback_deliveries} e
                          where e.order_id = d.order_id and e.state = 'pending' and e.seq < d.seq)
        order by d.next_attempt_at, d.seq
        limit ${limit}
        for update of d skip locked
      )
      update ${t.callback_deliveries} d
      set attempts = d.attempts + 1, next_attempt_at = ${plus(asOfMillis, lease)}
      from due, ${t.accounts} a
      where d.id = due.id and a.id = d.account_id
      returning d.id, d.order_id, d.account_id, d.payload, d.attempts, a.callback_url, a.callback_secret`.pipe(
      Effect.withSpan("DeliveryQueue.claim")
    )

  const delivered = (id: string) =>
    sql`update ${t.callback_deliveries} set state = 'delivered', delivered_at = now(), last_error = null
        where id = ${id} and state = 'pending'`.pipe(Effect.asVoid)

  /** Due again after `backoff`, or `failed` once the event is `giveUpAfter` old. */
  const retryLater = (
    id: string,
    lastError: string,
    asOfMillis: number,
    backoff: Duration.Duration,
    giveUpAfter: Duration.Duration
  ) =>
    sql`update ${t.callback_deliveries}
        set state = case when ${at(asOfMillis)} >= created_at + make_interval(secs => ${Duration.toSeconds(giveUpAfter)}::float8)
                         then 'failed' else 'pending' end,
            next_attempt_at = ${plus(asOfMillis, backoff)}, last_error = ${lastError}
        where id = ${id} and state = 'pending'`.pipe(Effect.asVoid)

  /** The database's time, to line the worker's Clock up with. */
  const databaseNow = sql<{ now: Date }>`select now()`.pipe(Effect.map((rows) => rows[0]!.now.getTime()))

  return { claim, delivered, retryLater, databaseNow } as const
}
