import { SqlClient } from "effect/sql"
import { Context, Effect, Layer } from "effect"
import type { Lease } from "./Lease.js"
import type { LogEntry } from "./LogEntry.js"
import { loadDispatchJob } from "./OrderLookup.js"
import { engineSettlement } from "./settlement/EngineSettlement.js"
import { type FencedWrite, fencedWrite, makeFencedBatch } from "./settlement/FencedWrites.js"
import { TawsilTables } from "../db/Tables.js"

/** What a send's acceptance (or a check that found the order) writes on the order. */
interface Accepted {
  readonly providerOrderId?: string | undefined
  readonly cost?: string | undefined
  readonly message: string
}

/**
 * The engine's writes to an order. Every write is conditional on the lease (the outbox row's owner and fence)
 * and on the order still being pending; a write that matches nothing fails with `LeaseLost`. The writes that
 * settle an order (approve, reject, markManual, complete) are the settlement module's (`settlement/Settlement.ts`).
 * A `message` is what the reseller reads (`ResellerWords`, an operator's note, our own reason): a provider's text
 * goes only into the dispatch log (`LogEntry.response`).
 */
export class OrderStore extends Context.Service<OrderStore>()("tawsil/dispatch/OrderStore", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const load = (orderId: string) => loadDispatchJob(sql, t, orderId)

    const sendingBatch = yield* makeFencedBatch<
      FencedWrite & { readonly providerId: string; readonly fallbackFrom: string | undefined }
    >(
      sql,
      t,
      "markSending",
      [
        { name: "provider", type: "text", value: (w) => w.providerId },
        { name: "fallback", type: "text", value: (w) => w.fallbackFrom ?? null }
      ],
      (at) =>
        sql`dispatch_state = 'sending', provider_id = v.provider,
            fallback_from = coalesce(v.fallback, o.fallback_from), sent_at = coalesce(o.sent_at, ${at})`,
      []
    )

    /** Written before every provider call: after a crash, `sending` means "maybe sent". */
    const markSending = (lease: Lease, providerId: string, fallbackFrom: string | undefined) =>
      sendingBatch({ lease, providerId, fallbackFrom })

    const awaitingBatch = yield* makeFencedBatch<FencedWrite & { readonly accepted: Accepted }>(
      sql,
      t,
      "markAwaiting",
      [
        { name: "provider_order_id", type: "text", value: (w) => w.accepted.providerOrderId ?? null },
        { name: "cost", type: "numeric", value: (w) => w.accepted.cost ?? null },
        { name: "message", type: "text", value: (w) => w.accepted.message },
        { name: "attempt", type: "int", value: (w) => (w.log?.action === "send" ? 1 : 0) }
      ],
      () => sql`dispatch_state = 'awaiting', attempts = o.attempts + v.attempt,
          provider_order_id = coalesce(v.provider_order_id, o.provider_order_id),
          provider_cost = coalesce(v.cost, o.provider_cost), last_message = v.message`,
      []
    )

    /** The provider has the order: a send was accepted (`log` of the send given: an attempt) or a check found it. */
    const markAwaiting = (lease: Lease, accepted: Accepted, log?: LogEntry) =>
      awaitingBatch({ lease, accepted, log })

    const checkBatch = yield* makeFencedBatch<FencedWrite & { readonly message: string }>(
      sql,
      t,
      "recordCheck",
      [{ name: "message", type: "text", value: (w) => w.message }],
      (at) => sql`last_checked_at = ${at}, last_message = v.message`,
      []
    )

    const recordCheck = (lease: Lease, message: string, log?: LogEntry) => checkBatch({ lease, message, log })

    /** A send that got an answer other than acceptance (an interrupted send is not an attempt). */
    const failedAttempt = (lease: Lease, message: string, log: LogEntry) =>
      fencedWrite(sql, t, "failedAttempt")(
        lease,
        log,
        sql`attempts = o.attempts + 1, last_message = ${message}`
      )

    const note = (lease: Lease, message: string) =>
      fencedWrite(sql, t, "note")(lease, undefined, sql`last_message = ${message}`)

    const { approve, reject, markManual, complete } = yield* engineSettlement(sql, t)

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
      complete
    } as const
  })
}) {
  /** Scoped: the batched writes' statement fibers live as long as the layer. */
  static readonly layer = Layer.effect(this, this.make)
}
