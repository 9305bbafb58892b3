import type { SqlClient } from "effect/sql"
import { Effect } from "effect"
import type { Lease } from "../Lease.js"
import type { LogEntry } from "../LogEntry.js"
import { type FencedWrite, fencedWrite, makeFencedBatch } from "./FencedWrites.js"
import { dropped, outboxDrop, refunded } from "./Settlement.js"

/** What a provider's success writes on the order: the PIN (if any) and the reseller-facing message. */
export interface Delivered {
  readonly pin: string | undefined
  readonly message: string
}

/** A send's log makes the write an attempt; a check's does not. */
const attemptOf = (log: LogEntry | undefined) => (log?.action === "send" ? 1 : 0)

/**
 * The engine's settling writes (the `OrderStore`'s approve, reject, markManual, complete), each fenced by the
 * lease and conditional on the order still being pending (see `Settlement.ts`). Scoped: the batched approvals'
 * statement fibers live as long as the scope.
 */
export const engineSettlement = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    const approveBatch = yield* makeFencedBatch<FencedWrite & { readonly result: Delivered }>(
      sql,
      "approve",
      [
        { name: "pin", type: "text", value: (w) => w.result.pin ?? null },
        { name: "message", type: "text", value: (w) => w.result.message },
        { name: "attempt", type: "int", value: (w) => attemptOf(w.log) }
      ],
      sql`status = 'approved', dispatch_state = 'done', pin = v.pin, message = v.message, last_message = v.message,
          completed_at = now(), attempts = o.attempts + v.attempt`,
      [dropped(sql)]
    )

    /** The provider delivered: approved, the engine is done with the order. */
    const approve = (lease: Lease, result: Delivered, log?: LogEntry) => approveBatch({ lease, result, log })

    /** The provider refused (or no route is left): rejected and refunded, the engine is done with the order. */
    const reject = (lease: Lease, message: string, log?: LogEntry) =>
      fencedWrite(sql, "reject")(
        lease,
        log,
        sql`status = 'rejected', dispatch_state = 'failed', message = ${message}, last_message = ${message},
            completed_at = now(), attempts = o.attempts + ${attemptOf(log)}`,
        [dropped(sql), refunded(sql, undefined)]
      )

    /** A human must decide: the money stays held, the engine lets the order go. */
    const markManual = (lease: Lease, reason: string) =>
      fencedWrite(sql, "markManual")(
        lease,
        undefined,
        sql`dispatch_state = 'manual', last_message = ${reason}`,
        [dropped(sql)]
      )

    /** The engine has nothing to do for the order (settled or handed over meanwhile): its outbox row goes. */
    const complete = (lease: Lease) =>
      outboxDrop(sql, sql`order_id = ${lease.orderId} and fence = ${lease.fence}`).pipe(
        Effect.orDie,
        Effect.asVoid
      )

    return { approve, reject, markManual, complete } as const
  })
