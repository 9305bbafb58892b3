import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { ValidationError } from "../http/ValidationError.js"
import { AccountNotFound, LedgerEntry } from "./Account.js"
import { normalize } from "./Money.js"
import { LedgerPage } from "./Operator.js"

interface LedgerRow {
  readonly id: string
  readonly kind: LedgerEntry["kind"]
  readonly amount: string
  readonly balance_after: string
  readonly order_id: string | null
  readonly note: string | null
  readonly created_at: Date
}

const toEntry = (row: LedgerRow) =>
  new LedgerEntry({
    id: row.id,
    kind: row.kind,
    amount: normalize(row.amount),
    balanceAfter: normalize(row.balance_after),
    ...(row.order_id === null ? {} : { orderId: row.order_id }),
    ...(row.note === null ? {} : { note: row.note }),
    createdAt: DateTime.unsafeFromDate(row.created_at)
  })

/** Pages are keyed by entry id (newest first); the cursor is opaque, like the order lists'. */
const encodeCursor = (id: string) => Buffer.from(`l:${id}`).toString("base64url")

const decodeCursor = (cursor: string | undefined) => {
  if (cursor === undefined) return Effect.succeed(Option.none<string>())
  const match = /^l:(\d{1,18})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"))
  return match === null
    ? Effect.fail(new ValidationError({ field: "cursor", message: "not a cursor this API issued" }))
    : Effect.succeed(Option.some(match[1]!))
}

/** Every balance change of an account, as an operator reads it: signed amounts (debits negative), newest first. */
export class Ledger extends Effect.Service<Ledger>()("tawsil/orders/Ledger", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const page = Effect.fn("Ledger.page")(function* (
      accountId: string,
      query: { readonly limit: number; readonly cursor?: string | undefined }
    ) {
      const before = yield* decodeCursor(query.cursor)
      const accounts = yield* sql`select 1 from accounts where id = ${accountId}`.pipe(Effect.orDie)
      if (accounts.length === 0) {
        return yield* new AccountNotFound({ message: "account not found", accountId })
      }
      const rows = yield* sql<LedgerRow>`
        select id::text, kind, amount::text, balance_after::text, order_id::text, note, created_at
        from ledger_entries
        where account_id = ${accountId}
          ${Option.match(before, { onNone: () => sql``, onSome: (id) => sql`and id < ${id}::bigint` })}
        order by id desc
        limit ${query.limit + 1}`.pipe(Effect.orDie)
      const items = rows.slice(0, query.limit)
      const last = items[items.length - 1]
      return new LedgerPage({
        items: items.map(toEntry),
        ...(rows.length > query.limit && last !== undefined ? { nextCursor: encodeCursor(last.id) } : {})
      })
    })

    return { page } as const
  })
}) {}
