import { SqlClient, type Statement } from "effect/sql"
import { Context, Effect, Layer } from "effect"
import type { NewOrderJob } from "./DispatchHandoff.js"
import type { OrderRow } from "./OrderRow.js"
import { type FencedWrite, makeFencedBatch } from "./BatchedWrites.js"
import { type Lease, LeaseLost } from "./Lease.js"
import type { LogEntry } from "./LogEntry.js"

/** An order with what the engine needs to route it, and times measured by the database's clock. */
export interface DispatchJob extends NewOrderJob {
  readonly seconds_since_sent: number | null
  readonly seconds_since_checked: number | null
}

/**
 * The engine's writes to an order. Every write is conditional on the lease (the outbox row's owner and fence)
 * and, for settlement, on the order still being pending; a write that matches nothing fails with `LeaseLost`.
 * A `message` is what the reseller reads (`ResellerWords`, an operator's note, our own reason): a provider's text
 * goes only into the dispatch log (`LogEntry.response`).
 */
export class OrderStore extends Context.Service<OrderStore>()("tawsil/dispatch/OrderStore", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /**
     * The one shape of every engine write, one statement: update a pending order whose outbox row still carries
     * our lease, then whatever follows from it (`also`: CTEs over `updated`). No match → LeaseLost.
     */
    const fenced = (
      lease: Lease,
      step: string,
      set: Statement.Fragment,
      also: ReadonlyArray<Statement.Fragment> = []
    ) =>
      sql<OrderRow>`
        with updated as (
          update orders o set ${set}
          from outbox b
          where o.id = ${lease.orderId} and b.order_id = o.id and b.owner_node = ${lease.nodeId}
            and b.fence = ${lease.fence} and o.status = 'pending'
          returning o.*
        )${sql.join("", false, "")(also)}
        select * from updated`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows.length === 1
            ? Effect.succeed(rows[0]!)
            : Effect.fail(new LeaseLost({ orderId: lease.orderId, step }))
        )
      )

    const logged = (log: LogEntry | undefined) =>
      log === undefined
        ? []
        : [
            sql`, logged as (
              insert into dispatch_log (order_id, provider_id, action, request, response, outcome, actor)
              select id, ${log.providerId}, ${log.action},
                     ${log.request === undefined ? null : JSON.stringify(log.request)}::jsonb,
                     ${log.response}, ${log.outcome}, 'engine'
              from updated)`
          ]

    /** The engine is done with the order: its outbox row goes. */
    const dropped = sql`, dropped as (delete from outbox where order_id in (select id from updated))`

    /** The exact amount charged goes back, once: the refund's ledger row is unique per (order, kind, seq). */
    const refunded = sql`, credited as (
        update accounts a set balance = a.balance + u.price_amount from updated u where a.id = u.account_id
        returning a.balance
      ), refunded as (
        insert into ledger_entries (account_id, kind, amount, balance_after, order_id, seq)
        select u.account_id, 'refund', u.price_amount, (select balance from credited), u.id,
               (select count(*) from ledger_entries l where l.order_id = u.id and l.kind = 'refund')
        from updated u)`

    const load = (orderId: string) =>
      sql<DispatchJob>`
        select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings,
               extract(epoch from now() - o.sent_at)::float8 as seconds_since_sent,
               extract(epoch from now() - o.last_checked_at)::float8 as seconds_since_checked
        from orders o join packages p on p.id = o.package_id
        where o.id = ${orderId}`.pipe(
        Effect.map((rows) => rows[0]),
        Effect.orDie
      )

    const sendingBatch = yield* makeFencedBatch<
      FencedWrite & { readonly providerId: string; readonly fallbackFrom: string | undefined }
    >(
      sql,
      "markSending",
      [
        { name: "provider", type: "text", value: (w) => w.providerId },
        { name: "fallback", type: "text", value: (w) => w.fallbackFrom ?? null }
      ],
      sql`dispatch_state = 'sending', provider_id = v.provider, fallback_from = coalesce(v.fallback, o.fallback_from),
          sent_at = coalesce(o.sent_at, now())`,
      { completes: false }
    )

    /** Written before every provider call: after a crash, `sending` means "maybe sent". */
    const markSending = (lease: Lease, providerId: string, fallbackFrom: string | undefined) =>
      sendingBatch({ lease, providerId, fallbackFrom })

    type Accepted = { providerOrderId?: string | undefined; cost?: string | undefined; message: string }
    const awaitingBatch = yield* makeFencedBatch<FencedWrite & { readonly accepted: Accepted }>(
      sql,
      "markAwaiting",
      [
        { name: "provider_order_id", type: "text", value: (w) => w.accepted.providerOrderId ?? null },
        { name: "cost", type: "numeric", value: (w) => w.accepted.cost ?? null },
        { name: "message", type: "text", value: (w) => w.accepted.message },
        { name: "attempt", type: "int", value: (w) => (w.log?.action === "send" ? 1 : 0) }
      ],
      sql`dispatch_state = 'awaiting', attempts = o.attempts + v.attempt,
          provider_order_id = coalesce(v.provider_order_id, o.provider_order_id),
          provider_cost = coalesce(v.cost, o.provider_cost), last_message = v.message`,
      { completes: false }
    )

    /** The provider has the order: a send was accepted (`log` of the send given: an attempt) or a check found it. */
    const markAwaiting = (lease: Lease, accepted: Accepted, log?: LogEntry) =>
      awaitingBatch({ lease, accepted, log })

    const checkBatch = yield* makeFencedBatch<FencedWrite & { readonly message: string }>(
      sql,
      "recordCheck",
      [{ name: "message", type: "text", value: (w) => w.message }],
      sql`last_checked_at = now(), last_message = v.message`,
      { completes: false }
    )

    const recordCheck = (lease: Lease, message: string, log?: LogEntry) => checkBatch({ lease, message, log })

    const approveBatch = yield* makeFencedBatch<
      FencedWrite & { readonly result: { pin: string | undefined; message: string } }
    >(
      sql,
      "approve",
      [
        { name: "pin", type: "text", value: (w) => w.result.pin ?? null },
        { name: "message", type: "text", value: (w) => w.result.message },
        { name: "attempt", type: "int", value: (w) => (w.log?.action === "send" ? 1 : 0) }
      ],
      sql`status = 'approved', dispatch_state = 'done', pin = v.pin, message = v.message, last_message = v.message,
          completed_at = now(), attempts = o.attempts + v.attempt`,
      { completes: true }
    )

    const approve = (lease: Lease, result: { pin: string | undefined; message: string }, log?: LogEntry) =>
      approveBatch({ lease, result, log })

    /** A send that got an answer other than acceptance (an interrupted send is not an attempt). */
    const failedAttempt = (lease: Lease, message: string, log: LogEntry) =>
      fenced(lease, "failedAttempt", sql`attempts = o.attempts + 1, last_message = ${message}`, logged(log))

    const note = (lease: Lease, message: string) => fenced(lease, "note", sql`last_message = ${message}`)

    const markManual = (lease: Lease, reason: string) =>
      fenced(lease, "markManual", sql`dispatch_state = 'manual', last_message = ${reason}`, [dropped])

    const reject = (lease: Lease, message: string, log?: LogEntry) =>
      fenced(
        lease,
        "reject",
        sql`status = 'rejected', dispatch_state = 'failed', message = ${message}, last_message = ${message},
            completed_at = now(), attempts = o.attempts + ${log?.action === "send" ? 1 : 0}`,
        [dropped, refunded, ...logged(log)]
      )

    /** The engine has nothing to do for the order (settled or handed over meanwhile). */
    const complete = (lease: Lease) =>
      sql`delete from outbox where order_id = ${lease.orderId} and fence = ${lease.fence}`.pipe(
        Effect.orDie,
        Effect.asVoid
      )

    /** Give the order up (this node is shutting down): another owner may claim it at once. */
    const release = (lease: Lease) =>
      sql`update outbox set owner_node = null where order_id = ${lease.orderId} and fence = ${lease.fence}`.pipe(
        Effect.orDie,
        Effect.asVoid
      )

    return {
      load,
      markSending,
      markAwaiting,
      recordCheck,
      failedAttempt,
      note,
      markManual,
      approve,
      reject,
      complete,
      release
    } as const
  })
}) {
  /** Scoped: the batched writes' statement fibers live as long as the layer. */
  static readonly layer = Layer.effect(this, this.make)
}
