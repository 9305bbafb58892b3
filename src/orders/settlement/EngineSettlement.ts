import type { SqlClient, Statement } from "effect/sql"
import { AnnounceOrderChanges } from "./AnnounceOrderChanges.js"
import { Effect, Option } from "effect"
import { businessTime } from "../BusinessTime.js"
import type { Lease } from "../Lease.js"
import type { LogEntry } from "../LogEntry.js"
import type { Column } from "./WriteValues.js"
import { type FencedWrite, fencedWrite, fencedWriteOf, makeFencedBatch } from "./FencedWrites.js"
import { callbackQueued, dropped, outboxDrop, refunded } from "./Settlement.js"
import { SettlementHook, settleWithHook } from "./SettlementHook.js"
import type { Tables } from "../../db/Tables.js"

/** What a provider's success writes on the order: the PIN (if any) and the reseller-facing message. */
export interface Delivered {
  readonly pin: string | undefined
  readonly message: string
}

/** A send's log makes the write an attempt; a check's does not. */
const attemptOf = (log: LogEntry | undefined) => (log?.action === "send" ? 1 : 0)

type Approval = FencedWrite & { readonly result: Delivered }

/**
 * The engine's settling writes (the `OrderStore`'s approve, reject, markManual, complete), each fenced by the
 * lease and conditional on the order still being pending (see `Settlement.ts`), each announcing the orders it
 * moves. Scoped: the batched approvals' statement fibers live as long as the scope. With a host's `SettlementHook`,
 * approvals and rejections are written one order per transaction with the hook inside (`SettlementHook.ts`);
 * without one, approvals keep their batching.
 */
export const engineSettlement = (sql: SqlClient.SqlClient, t: Tables) =>
  Effect.gen(function* () {
    const hook = yield* Effect.serviceOption(SettlementHook)
    const announce = { announce: yield* AnnounceOrderChanges }
    const approveColumns: ReadonlyArray<Column<Approval>> = [
      { name: "pin", type: "text", value: (w) => w.result.pin ?? null },
      { name: "message", type: "text", value: (w) => w.result.message },
      { name: "attempt", type: "int", value: (w) => attemptOf(w.log) }
    ]
    const approveSet = (at: Statement.Fragment) =>
      sql`status = 'approved', dispatch_state = 'done', pin = v.pin, message = v.message,
          last_message = v.message, completed_at = ${at}, attempts = o.attempts + v.attempt`
    const approveBatch = yield* makeFencedBatch<Approval>(
      sql,
      t,
      "approve",
      approveColumns,
      approveSet,
      [dropped(sql, t), callbackQueued(sql, t)],
      announce
    )
    const approveOne = fencedWriteOf<Approval>(sql, t, "approve", approveColumns, announce)

    /** The provider delivered: approved, the engine is done with the order. */
    const approve = (lease: Lease, result: Delivered, log?: LogEntry) =>
      Option.isNone(hook)
        ? approveBatch({ lease, result, log })
        : Effect.asVoid(
            settleWithHook(
              sql,
              hook.value,
              Effect.flatMap(businessTime(sql), (at) =>
                approveOne({ lease, result, log }, approveSet(at), [dropped(sql, t), callbackQueued(sql, t)])
              )
            )
          )

    const rejectWrite = (lease: Lease, message: string, log: LogEntry | undefined) =>
      Effect.flatMap(businessTime(sql), (at) =>
        fencedWrite(sql, t, "reject", announce)(
          lease,
          log,
          sql`status = 'rejected', dispatch_state = 'failed', message = ${message}, last_message = ${message},
              completed_at = ${at}, attempts = o.attempts + ${attemptOf(log)}`,
          [dropped(sql, t), refunded(sql, t, undefined), callbackQueued(sql, t)]
        )
      )

    /** The provider refused (or no route is left): rejected and refunded, the engine is done with the order. */
    const reject = (lease: Lease, message: string, log?: LogEntry) =>
      Option.match(hook, {
        onNone: () => rejectWrite(lease, message, log),
        onSome: (h) => settleWithHook(sql, h, rejectWrite(lease, message, log))
      })

    /** A human must decide: the money stays held, the engine lets the order go. */
    const markManual = (lease: Lease, reason: string) =>
      fencedWrite(sql, t, "markManual", announce)(
        lease,
        undefined,
        sql`dispatch_state = 'manual', last_message = ${reason}`,
        [dropped(sql, t), callbackQueued(sql, t)]
      )

    /** The engine has nothing to do for the order (settled or handed over meanwhile): its outbox row goes. */
    const complete = (lease: Lease) =>
      outboxDrop(sql, t, sql`order_id = ${lease.orderId} and fence = ${lease.fence}`).pipe(
        Effect.orDie,
        Effect.asVoid
      )

    return { approve, reject, markManual, complete } as const
  })
