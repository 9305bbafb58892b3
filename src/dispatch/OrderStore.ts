import { SqlClient, SqlError, type Statement } from "@effect/sql"
import { Effect } from "effect"
import type { Mapping } from "../orders/Package.js"
import type { OrderRow } from "../orders/OrderRow.js"
import { type Lease, LeaseLost } from "./Lease.js"

/** An order with what the engine needs to route it, and times measured by the database's clock. */
export interface DispatchJob extends OrderRow {
  readonly provider_order_id: string | null
  readonly fallback_from: string | null
  readonly route_mode: "auto" | "manual"
  readonly primary_provider: string | null
  readonly fallback_provider: string | null
  readonly mappings: Record<string, Mapping>
  readonly seconds_since_sent: number | null
  readonly seconds_since_checked: number | null
}

/**
 * The engine's writes to an order. Every write is conditional on the lease (the outbox row's owner and fence)
 * and, for settlement, on the order still being pending; a write that matches nothing fails with `LeaseLost`.
 */
export class OrderStore extends Effect.Service<OrderStore>()("tawsil/dispatch/OrderStore", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const transaction = <A, E>(effect: Effect.Effect<A, E>) =>
      sql
        .withTransaction(effect)
        .pipe(Effect.catchIf((e): e is SqlError.SqlError => e instanceof SqlError.SqlError, Effect.die))

    const fenced = (lease: Lease, step: string, set: Statement.Fragment) =>
      sql<OrderRow>`
        update orders o set ${set}
        from outbox b
        where o.id = ${lease.orderId} and b.order_id = o.id and b.owner_node = ${lease.nodeId}
          and b.fence = ${lease.fence} and o.status = 'pending'
        returning o.*`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows.length === 1
            ? Effect.succeed(rows[0]!)
            : Effect.fail(new LeaseLost({ orderId: lease.orderId, step }))
        )
      )

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

    /** Written before every provider call: after a crash, `sending` means "maybe sent". */
    const markSending = (lease: Lease, providerId: string, fallbackFrom: string | undefined) =>
      fenced(
        lease,
        "markSending",
        sql`dispatch_state = 'sending', provider_id = ${providerId},
            fallback_from = coalesce(${fallbackFrom ?? null}, o.fallback_from), sent_at = coalesce(o.sent_at, now())`
      )

    const markAwaiting = (
      lease: Lease,
      accepted: { providerOrderId?: string | undefined; cost?: string | undefined; message: string }
    ) =>
      fenced(
        lease,
        "markAwaiting",
        sql`dispatch_state = 'awaiting', provider_order_id = coalesce(${accepted.providerOrderId ?? null}, o.provider_order_id),
            provider_cost = coalesce(${accepted.cost ?? null}::numeric, o.provider_cost), last_message = ${accepted.message}`
      )

    const recordCheck = (lease: Lease, message: string) =>
      fenced(lease, "recordCheck", sql`last_checked_at = now(), last_message = ${message}`)

    /** A send that got an answer, of any kind. */
    const countAttempt = (lease: Lease) => fenced(lease, "countAttempt", sql`attempts = o.attempts + 1`)

    const note = (lease: Lease, message: string) => fenced(lease, "note", sql`last_message = ${message}`)

    const dropOutbox = (lease: Lease) =>
      sql`delete from outbox where order_id = ${lease.orderId} and fence = ${lease.fence}`

    const markManual = (lease: Lease, reason: string) =>
      transaction(
        Effect.zipLeft(
          fenced(lease, "markManual", sql`dispatch_state = 'manual', last_message = ${reason}`),
          Effect.orDie(dropOutbox(lease))
        )
      )

    const approve = (lease: Lease, result: { pin: string | undefined; message: string }) =>
      transaction(
        Effect.zipLeft(
          fenced(
            lease,
            "approve",
            sql`status = 'approved', dispatch_state = 'done', pin = ${result.pin ?? null}, message = ${result.message},
                last_message = ${result.message}, completed_at = now()`
          ),
          Effect.orDie(dropOutbox(lease))
        )
      )

    /** Reject and refund the exact amount charged, once: the refund's ledger row is unique per (order, seq). */
    const reject = (lease: Lease, message: string) =>
      transaction(
        Effect.gen(function* () {
          const order = yield* fenced(
            lease,
            "reject",
            sql`status = 'rejected', dispatch_state = 'failed', message = ${message}, last_message = ${message},
                completed_at = now()`
          )
          yield* refund(order)
          yield* Effect.orDie(dropOutbox(lease))
          return order
        })
      )

    const refund = (order: OrderRow) =>
      sql`
        with account as (
          update accounts set balance = balance + ${order.price_amount}::numeric where id = ${order.account_id}
          returning balance
        )
        insert into ledger_entries (account_id, kind, amount, balance_after, order_id, seq)
        select ${order.account_id}, 'refund', ${order.price_amount}::numeric, account.balance, ${order.id},
               (select count(*) from ledger_entries where order_id = ${order.id} and kind = 'refund')
        from account`.pipe(Effect.orDie)

    /** The engine is done with the order (settled, or handed to an operator). */
    const complete = (lease: Lease) => dropOutbox(lease).pipe(Effect.orDie, Effect.asVoid)

    /** Give the order up (already settled, or this node is shutting down): another owner may claim it at once. */
    const release = (lease: Lease) =>
      sql`update outbox set owner_node = null where order_id = ${lease.orderId} and fence = ${lease.fence}`.pipe(
        Effect.orDie,
        Effect.asVoid
      )

    const log = (entry: {
      readonly orderId: string
      readonly providerId: string | undefined
      readonly action: string
      readonly request?: unknown
      readonly response?: string | undefined
      readonly outcome: string
    }) =>
      sql`insert into dispatch_log (order_id, provider_id, action, request, response, outcome, actor)
          values (${entry.orderId}, ${entry.providerId ?? null}, ${entry.action},
                  ${entry.request === undefined ? null : JSON.stringify(entry.request)}::jsonb,
                  ${entry.response ?? null}, ${entry.outcome}, 'engine')`.pipe(Effect.orDie, Effect.asVoid)

    return {
      load,
      markSending,
      countAttempt,
      markAwaiting,
      recordCheck,
      note,
      markManual,
      approve,
      reject,
      complete,
      release,
      log
    } as const
  })
}) {}
