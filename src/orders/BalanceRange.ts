import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import { fromCents, maxStoredCents, StoredAmount, toCents } from "./Money.js"
import type { Tables } from "../db/Tables.js"

/** 409: the operation would take a balance (or an order's total) past what a money column holds. */
export class BalanceOutOfRange extends Schema.TaggedError<BalanceOutOfRange>()(
  "BalanceOutOfRange",
  { message: Schema.String, balance: StoredAmount, limit: StoredAmount },
  { httpApiStatus: 409 }
) {}

export const maxBalance = fromCents(maxStoredCents)

export const outOfRange = (message: string, balance: bigint) =>
  new BalanceOutOfRange({ message, balance: fromCents(balance), limit: maxBalance })

export const fitsColumn = (cents: bigint) => cents <= maxStoredCents && cents >= -maxStoredCents

/**
 * A credit may raise the balance only as far as leaves room to refund every pending order: a balance plus its
 * pending orders never passes the column's limit, so a refund (which the engine must always be able to make)
 * never overflows. Runs under the account row lock, which order creation also takes.
 */
export const ensureCreditFits = (
  sql: SqlClient.SqlClient,
  t: Tables,
  accountId: string,
  balance: { readonly before: bigint; readonly after: bigint }
) =>
  Effect.gen(function* () {
    if (balance.after <= balance.before) return
    const rows = yield* sql<{ pending: string }>`
      select coalesce(sum(price_amount), 0)::text as pending
      from ${t.orders} where account_id = ${accountId} and status = 'pending'`.pipe(Effect.orDie)
    if (balance.after + toCents(rows[0]?.pending ?? "0") > maxStoredCents) {
      return yield* outOfRange(
        `the credit would take the balance (with its pending orders) past ${maxBalance}`,
        balance.before
      )
    }
  })
