import { Context, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { AccountNotFound, LedgerEntry } from "./Account.js"
import { ledgerCursor } from "./Cursor.js"
import { normalize } from "./Money.js"
import { LedgerPage } from "./Operator.js"
import { TawsilTables } from "../db/Tables.js"

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
    createdAt: DateTime.fromDateUnsafe(row.created_at)
  })

/** Every balance change of an account, as an operator reads it: signed amounts (debits negative), newest first. */
export class Ledger extends Context.Service<Ledger>()("tawsil/orders/Ledger", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const page = Effect.fn("Ledger.page")(function* (
      accountId: string,
      query: { readonly limit: number; readonly cursor?: string | undefined }
    ) {
      const before = yield* ledgerCursor.decode(query.cursor)
      const accounts = yield* sql`select 1 from ${t.accounts} where id = ${accountId}`.pipe(Effect.orDie)
      if (accounts.length === 0) {
        return yield* new AccountNotFound({ message: "account not found", accountId })
      }
      const rows = yield* sql<LedgerRow>`
        select id::text, kind, amount::text, balance_after::text, order_id::text, note, created_at
        from ${t.ledger_entries}
        where account_id = ${accountId}
          ${before === undefined ? sql`` : sql`and id < ${before}::bigint`}
        order by id desc
        limit ${query.limit + 1}`.pipe(Effect.orDie)
      const items = rows.slice(0, query.limit)
      const last = items[items.length - 1]
      return new LedgerPage({
        items: items.map(toEntry),
        ...(rows.length > query.limit && last !== undefined
          ? { nextCursor: ledgerCursor.encode(last.id) }
          : {})
      })
    })

    return { page } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
