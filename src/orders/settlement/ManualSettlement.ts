import { Effect } from "effect"
import type { SqlClient, Statement } from "effect/sql"
import { businessTime } from "../BusinessTime.js"
import { InvalidTransition, type Order } from "../Order.js"
import { type OrderRow, toOrder } from "../OrderRow.js"
import { type AdminLog, adminValues, writeAdminLog } from "./AdminLog.js"
import { type LockedOrder, lockOrder, notFound } from "./LockedOrder.js"
import { ensureRefundFits, redebit } from "./OperatorMoney.js"
import { redispatchLocked } from "./Redispatch.js"
import { callbackQueued, dropped, logged, refunded, settleStatement } from "./Settlement.js"
import { runHook, type SettlementHook } from "./SettlementHook.js"
import type { Tables } from "../../db/Tables.js"

/** What an approval writes on the order: the PIN (kept when absent) and the reseller-facing message. */
export interface Approval {
  readonly pin: string | undefined
  readonly message: string | undefined
}

const approvedByHand = "تم القبول (approved by an operator)"
const rejectedByHand = "تم الرفض (rejected by an operator)"

/**
 * The statements of a settlement by hand, each run inside the caller's transaction on an order row it has
 * locked (`for update`), deciding on the status read under that lock (see `Settlement.ts`). A host's `hook` runs
 * in that transaction on each order settled.
 */
export const manualSettlement = (
  sql: SqlClient.SqlClient,
  t: Tables,
  hook: SettlementHook["Service"] | undefined,
  announce: boolean
) => {
  const writeLog = writeAdminLog(sql, t)

  /** The locked order's settlement: `set`, the engine's outbox row dropped, `also`, the operator's log row. */
  const settle = (
    locked: LockedOrder,
    log: AdminLog,
    set: Statement.Fragment,
    also: ReadonlyArray<Statement.Fragment>
  ): Effect.Effect<Order> =>
    settleStatement<OrderRow>(sql, t, {
      values: adminValues(sql, locked.id, log),
      set,
      fenced: false,
      consequences: [dropped(sql, t), ...also, logged(sql, t, "admin"), callbackQueued(sql, t)],
      select: sql`*`,
      announce
    }).pipe(
      Effect.orDie,
      Effect.map((rows) => toOrder(rows[0]!)),
      Effect.tap((order) => (hook === undefined ? Effect.void : runHook(sql, hook, order)))
    )

  /** A locked pending (or just re-debited) order becomes approved; the engine's outbox row goes. */
  const markApproved = (locked: LockedOrder, result: Approval, log: AdminLog) =>
    Effect.flatMap(businessTime(sql), (at) =>
      settle(
        locked,
        log,
        sql`status = 'approved', dispatch_state = 'done', pin = coalesce(${result.pin ?? null}, o.pin),
            message = ${result.message ?? approvedByHand}, completed_at = ${at}`,
        []
      )
    )

  /** Approve a locked order: pending → approved; rejected → re-debit, approved; approved → no-op. */
  const approveLocked = (locked: LockedOrder, result: Approval, log: Omit<AdminLog, "outcome">) =>
    Effect.gen(function* () {
      switch (locked.status) {
        case "approved":
          yield* writeLog(locked.id, { ...log, outcome: "noop" })
          return locked.order
        case "rejected":
          yield* redebit(sql, t, locked, result.message)
          return yield* markApproved(locked, result, { ...log, outcome: "approved, re-debited" })
        case "pending":
          return yield* markApproved(locked, result, { ...log, outcome: "approved" })
      }
    })

  /** Reject a locked order: pending → rejected and refunded; rejected → no-op; approved → InvalidTransition. */
  const rejectLocked = (locked: LockedOrder, message: string | undefined, log: Omit<AdminLog, "outcome">) =>
    Effect.gen(function* () {
      if (locked.status === "approved") {
        return yield* new InvalidTransition({
          message: "an approved order cannot be rejected",
          status: locked.status
        })
      }
      if (locked.status === "rejected") {
        yield* writeLog(locked.id, { ...log, outcome: "noop" })
        return locked.order
      }
      yield* ensureRefundFits(sql, t, locked)
      const at = yield* businessTime(sql)
      return yield* settle(
        locked,
        { ...log, outcome: "rejected" },
        sql`status = 'rejected', dispatch_state = 'failed', message = ${message ?? rejectedByHand},
            completed_at = ${at}`,
        [refunded(sql, t, message)]
      )
    })

  /** A provider's answer an operator asked for, that settles nothing: what the reseller reads, and when. */
  const recordCheck = (locked: LockedOrder, message: string) =>
    Effect.flatMap(businessTime(sql), (at) =>
      sql<OrderRow>`
        update ${t.orders} set last_message = ${message}, last_checked_at = ${at}
        where id = ${locked.id} returning *`.pipe(
        Effect.orDie,
        Effect.map((rows) => toOrder(rows[0]!))
      )
    )

  return {
    notFound,
    lockOrder: (orderId: string) => lockOrder(sql, t, orderId),
    writeLog,
    markApproved,
    approveLocked,
    rejectLocked,
    recordCheck,
    redispatchLocked: redispatchLocked(sql, t, announce)
  } as const
}
