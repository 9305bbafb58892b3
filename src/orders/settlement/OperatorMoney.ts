import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { fitsColumn, maxBalance, outOfRange } from "../BalanceRange.js"
import { fromCents, toCents } from "../Money.js"
import type { OrderRow } from "../OrderRow.js"
import { debitWithinOverdraft } from "./Overdraft.js"

/**
 * The order's account, locked. An operator's money moves lock the account row after the order row: the same order
 * as the engine's settlement statements, which update the order before the account, so the two cannot deadlock.
 */
const lockAccount = (sql: SqlClient.SqlClient, row: OrderRow) =>
  sql<{ balance: string; overdraft_limit: string }>`
    select balance::text, overdraft_limit::text from accounts where id = ${row.account_id} for update`.pipe(
    Effect.orDie,
    Effect.map((accounts) => accounts[0]!)
  )

/**
 * A refund must fit the balance column. A balance that cannot take it (only possible for balances written before
 * credits kept room for refunds) refuses an operator's reject.
 */
export const ensureRefundFits = (sql: SqlClient.SqlClient, row: OrderRow) =>
  Effect.gen(function* () {
    const before = toCents((yield* lockAccount(sql, row)).balance)
    if (!fitsColumn(before + toCents(row.price_amount))) {
      return yield* outOfRange(`the refund would take the balance past ${maxBalance}`, before)
    }
  })

/** A refunded order is charged its exact price again, once per (order, 'redebit', seq), within the overdraft. */
export const redebit = (sql: SqlClient.SqlClient, row: OrderRow, note: string | undefined) =>
  Effect.gen(function* () {
    const account = yield* lockAccount(sql, row)
    const price = toCents(row.price_amount)
    const after = yield* Effect.fromResult(
      debitWithinOverdraft(
        { balance: toCents(account.balance), overdraftLimit: account.overdraft_limit },
        price,
        "الرصيد غير كافٍ لتنفيذ الطلب (insufficient balance for the re-debit)"
      )
    )
    yield* sql`
      with debited as (
        update accounts set balance = ${fromCents(after)}::numeric where id = ${row.account_id}
      )
      insert into ledger_entries (account_id, kind, amount, balance_after, order_id, seq, note)
      values (${row.account_id}, 'redebit', ${fromCents(-price)}::numeric, ${fromCents(after)}::numeric, ${row.id},
              (select count(*) from ledger_entries where order_id = ${row.id} and kind = 'redebit'),
              ${note ?? null})`.pipe(Effect.orDie)
  })
