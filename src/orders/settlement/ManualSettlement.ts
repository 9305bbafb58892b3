import { Effect } from "effect"
import type { SqlClient, Statement } from "effect/sql"
import { InvalidTransition, OrderNotFound } from "../Order.js"
import { isUuid } from "../OrderLookup.js"
import type { OrderRow } from "../OrderRow.js"
import { type AdminLog, adminValues, writeAdminLog } from "./AdminLog.js"
import { ensureRefundFits, redebit } from "./OperatorMoney.js"
import { redispatchLocked } from "./Redispatch.js"
import { dropped, logged, refunded, settleStatement } from "./Settlement.js"

/** What an approval writes on the order: the PIN (kept when absent) and the reseller-facing message. */
export interface Approval {
  readonly pin: string | undefined
  readonly message: string | undefined
}

const approvedByHand = "تم القبول (approved by an operator)"
const rejectedByHand = "تم الرفض (rejected by an operator)"

/**
 * The statements of a settlement by hand, each run inside the caller's transaction on an order row it has
 * locked (`for update`), deciding on the status read under that lock (see `Settlement.ts`).
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

  const writeLog = writeAdminLog(sql)

  /** The locked order's settlement: `set`, the engine's outbox row dropped, `also`, the operator's log row. */
  const settle = (
    row: OrderRow,
    log: AdminLog,
    set: Statement.Fragment,
    also: ReadonlyArray<Statement.Fragment>
  ) =>
    settleStatement<OrderRow>(sql, {
      values: adminValues(sql, row.id, log),
      set,
      fenced: false,
      consequences: [dropped(sql), ...also, logged(sql, "admin")],
      select: sql`*`
    }).pipe(
      Effect.orDie,
      Effect.map((rows) => rows[0]!)
    )

  /** A locked pending (or just re-debited) order becomes approved; the engine's outbox row goes. */
  const markApproved = (row: OrderRow, result: Approval, log: AdminLog) =>
    settle(
      row,
      log,
      sql`status = 'approved', dispatch_state = 'done', pin = coalesce(${result.pin ?? null}, o.pin),
          message = ${result.message ?? approvedByHand}, completed_at = now()`,
      []
    )

  /** Approve a locked order: pending → approved; rejected → re-debit, approved; approved → no-op. */
  const approveLocked = (row: OrderRow, result: Approval, log: Omit<AdminLog, "outcome">) =>
    Effect.gen(function* () {
      switch (row.status) {
        case "approved":
          yield* writeLog(row.id, { ...log, outcome: "noop" })
          return row
        case "rejected":
          yield* redebit(sql, row, result.message)
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
      yield* ensureRefundFits(sql, row)
      return yield* settle(
        row,
        { ...log, outcome: "rejected" },
        sql`status = 'rejected', dispatch_state = 'failed', message = ${message ?? rejectedByHand},
            completed_at = now()`,
        [refunded(sql, message)]
      )
    })

  /** A provider's answer an operator asked for, that settles nothing: what the reseller reads, and when. */
  const recordCheck = (row: OrderRow, message: string) =>
    sql<OrderRow>`
      update orders set last_message = ${message}, last_checked_at = now()
      where id = ${row.id} returning *`.pipe(
      Effect.orDie,
      Effect.map((rows) => rows[0]!)
    )

  return {
    notFound,
    lockOrder,
    writeLog,
    markApproved,
    approveLocked,
    rejectLocked,
    recordCheck,
    redispatchLocked: redispatchLocked(sql)
  } as const
}
