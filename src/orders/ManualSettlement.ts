import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import { InsufficientBalance } from "./Account.js"
import { fitsColumn, maxBalance, outOfRange } from "./BalanceRange.js"
import { fromCents, normalize, toCents } from "./Money.js"
import { InvalidTransition, OrderNotFound } from "./Order.js"
import type { OrderRow } from "./OrderRow.js"

/** One dispatch-log row written by an operator action (actor `admin`). */
export interface AdminLog {
  readonly action: "operator:approve" | "operator:reject" | "operator:dispatch" | "operator:check" | "check"
  readonly outcome: string
  readonly response?: string | undefined
  readonly providerId?: string | undefined
  readonly request?: unknown
}

/** What an approval writes on the order: the PIN (kept when absent) and the reseller-facing message. */
export interface Settlement {
  readonly pin: string | undefined
  readonly message: string | undefined
}

export const isUuid = Schema.is(Schema.String.check(Schema.isUUID()))

const approvedByHand = "تم القبول (approved by an operator)"
const rejectedByHand = "تم الرفض (rejected by an operator)"

/**
 * The statements of a settlement by hand, each run inside the caller's transaction on an order row it has
 * locked (`for update`). Money moves lock the account row after the order row: the same order as the engine's
 * settlement statements, which update the order before the account, so the two cannot deadlock.
 */
export const manualSettlement = (sql: SqlClient.SqlClient) => {
  const notFound = (orderId: string) => new OrderNotFound({ message: "order not found", orderId })

  const lockOrder = (orderId: string) =>
    (isUuid(orderId)
      ? sql<OrderRow>`select * from orders where id = ${orderId} for update`
      : Effect.succeed([])
    ).pipe(
      Effect.orDie,
      Effect.flatMap((rows) =>
        rows[0] === undefined ? Effect.fail(notFound(orderId)) : Effect.succeed(rows[0])
      )
    )

  const writeLog = (orderId: string, log: AdminLog) =>
    sql`insert into dispatch_log (order_id, provider_id, action, request, response, outcome, actor)
        values (${orderId}, ${log.providerId ?? null}, ${log.action},
                ${log.request === undefined ? null : JSON.stringify(log.request)}::jsonb,
                ${log.response ?? null}, ${log.outcome}, 'admin')`.pipe(Effect.orDie, Effect.asVoid)

  const dropOutbox = (orderId: string) =>
    sql`delete from outbox where order_id = ${orderId}`.pipe(Effect.orDie, Effect.asVoid)

  const updated = (rows: ReadonlyArray<OrderRow>) => rows[0]!

  /**
   * The exact amount charged goes back, once per rejection: (order, 'refund', seq) is unique. A balance that
   * cannot take it (only possible for balances written before credits kept room for refunds) refuses the reject.
   */
  const refund = (row: OrderRow, note: string | undefined) =>
    Effect.gen(function* () {
      const accounts = yield* sql<{ balance: string }>`
        select balance::text from accounts where id = ${row.account_id} for update`.pipe(Effect.orDie)
      const before = toCents(accounts[0]!.balance)
      if (!fitsColumn(before + toCents(row.price_amount))) {
        return yield* outOfRange(`the refund would take the balance past ${maxBalance}`, before)
      }
      yield* refundStatement(row, note)
    })

  const refundStatement = (row: OrderRow, note: string | undefined) =>
    sql`
      with credited as (
        update accounts set balance = balance + ${row.price_amount}::numeric where id = ${row.account_id}
        returning balance
      )
      insert into ledger_entries (account_id, kind, amount, balance_after, order_id, seq, note)
      select ${row.account_id}, 'refund', ${row.price_amount}::numeric, credited.balance, ${row.id},
             (select count(*) from ledger_entries where order_id = ${row.id} and kind = 'refund'), ${note ?? null}
      from credited`.pipe(Effect.orDie, Effect.asVoid)

  /** A refunded order is charged its exact price again, unless that would pass the overdraft limit. */
  const redebit = (row: OrderRow, note: string | undefined) =>
    Effect.gen(function* () {
      const accounts = yield* sql<{ balance: string; overdraft_limit: string }>`
        select balance::text, overdraft_limit::text from accounts where id = ${row.account_id} for update`.pipe(
        Effect.orDie
      )
      const account = accounts[0]!
      const after = toCents(account.balance) - toCents(row.price_amount)
      if (after < -toCents(account.overdraft_limit)) {
        return yield* new InsufficientBalance({
          message: "الرصيد غير كافٍ لتنفيذ الطلب (insufficient balance for the re-debit)",
          balance: normalize(account.balance),
          required: normalize(row.price_amount)
        })
      }
      yield* sql`
        with debited as (
          update accounts set balance = ${fromCents(after)}::numeric where id = ${row.account_id}
        )
        insert into ledger_entries (account_id, kind, amount, balance_after, order_id, seq, note)
        values (${row.account_id}, 'redebit', ${fromCents(-toCents(row.price_amount))}::numeric,
                ${fromCents(after)}::numeric, ${row.id},
                (select count(*) from ledger_entries where order_id = ${row.id} and kind = 'redebit'),
                ${note ?? null})`.pipe(Effect.orDie)
    })

  /** A locked pending (or just re-debited) order becomes approved; the engine's outbox row goes. */
  const markApproved = (row: OrderRow, result: Settlement, log: AdminLog) =>
    Effect.gen(function* () {
      const after = yield* sql<OrderRow>`
        update orders set status = 'approved', dispatch_state = 'done', pin = coalesce(${result.pin ?? null}, pin),
                          message = ${result.message ?? approvedByHand}, completed_at = now()
        where id = ${row.id} returning *`.pipe(Effect.orDie, Effect.map(updated))
      yield* dropOutbox(row.id)
      yield* writeLog(row.id, log)
      return after
    })

  /** Approve a locked order: pending → approved; rejected → re-debit, approved; approved → no-op. */
  const approveLocked = (row: OrderRow, result: Settlement, log: Omit<AdminLog, "outcome">) =>
    Effect.gen(function* () {
      switch (row.status) {
        case "approved":
          yield* writeLog(row.id, { ...log, outcome: "noop" })
          return row
        case "rejected":
          yield* redebit(row, result.message)
          return yield* markApproved(row, result, { ...log, outcome: "approved, re-debited" })
        case "pending":
          return yield* markApproved(row, result, { ...log, outcome: "approved" })
      }
    })

  /** Reject a locked order: pending → rejected and refunded; rejected → no-op; approved → InvalidTransition. */
  const rejectLocked = (row: OrderRow, message: string | undefined, log: Omit<AdminLog, "outcome">) =>
    Effect.gen(function* () {
      if (row.status === "approved") {
        return yield* new InvalidTransition({
          message: "an approved order cannot be rejected",
          status: row.status
        })
      }
      if (row.status === "rejected") {
        yield* writeLog(row.id, { ...log, outcome: "noop" })
        return row
      }
      const after = yield* sql<OrderRow>`
        update orders set status = 'rejected', dispatch_state = 'failed', message = ${message ?? rejectedByHand},
                          completed_at = now()
        where id = ${row.id} returning *`.pipe(Effect.orDie, Effect.map(updated))
      yield* dropOutbox(row.id)
      yield* refund(row, message)
      yield* writeLog(row.id, { ...log, outcome: "rejected" })
      return after
    })

  return { notFound, lockOrder, writeLog, redebit, markApproved, approveLocked, rejectLocked } as const
}
