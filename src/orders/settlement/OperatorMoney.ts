import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { fitsColumn, maxBalance, outOfRange } from "../BalanceRange.js"
import { fromCents, toCents } from "../Money.js"
import type { LockedOrder } from "./LockedOrder.js"
import { debitWithinOverdraft } from "./Overdraft.js"
import type { Tables } from "../../db/Tables.js"

/**
 * The order's account, locked. An operator's money moves lock the account row after the order row: the same order
 * as the engine's settlement statements, which update the order before the account, so the two cannot deadlock.
 */
const lockAccount = (sql: SqlClient.SqlClient, t: Tables, locked: LockedOrder) =>
  sql<{ balance: string; overdraft_limit: string }>`
    select balance::text, overdraft_limit::text from ${t.accounts} where id = ${locked.accountId} for update`.pipe(
    Effect.orDie,
    Effect.map((accounts) => accounts[0]!)
  )

/**
 * A refund must fit the balance column. A balance that cannot take it (only possible for balances written before
 * credits kept room for refunds) refuses an operator's reject.
 */
export const ensureRefundFits = (sql: SqlClient.SqlClient, t: Tables, locked: LockedOrder) =>
  Effect.gen(function* () {
    const before = toCents((yield* lockAccount(sql, t, locked)).balance)
    if (!fitsColumn(before + toCents(locked.priceAmount))) {
      return yield* outOfRange(`the refund would take the balance past ${maxBalance}`, before)
    }
  })

/** A refunded order is charged its exact price again, once per (order, 'redebit', seq), within the overdraft. */
export const redebit = (sql: SqlClient.SqlClient, t: Tables, locked: LockedOrder, note: string | undefined) =>
  Effect.gen(function* () {
    const account = yield* lockAccount(sql, t, locked)
    const price = toCents(locked.priceAmount)
    const after = yield* Effect.fromResult(
      debitWithinOverdraft(
        { balance: toCents(account.balance), overdraftLimit: account.overdraft_limit },
        price,
        "الرصيد غير كافٍ لتنفيذ الطلب (insufficient balance for the re-debit)"
      )
    )
    yield* sql`
      with debited as (
        update ${t.accounts} set balance = ${fromCents(after)}::numeric where id = ${locked.accountId}
      )
      insert into ${t.ledger_entries} (account_id, kind, amount, balance_after, order_id, seq, note)
      values (${locked.accountId}, 'redebit', ${fromCents(-price)}::numeric, ${fromCents(after)}::numeric, ${locked.id},
              (select count(*) from ${t.ledger_entries} where order_id = ${locked.id} and kind = 'redebit'),
              ${note ?? null})`.pipe(Effect.orDie)
  })
