import { PgTypes } from "@effect/sql-pg"
import { Result } from "effect"
import type { SqlClient, Statement } from "effect/sql"
import type { IntakeCommand } from "./CreateOrder.js"
import type { OrderRow } from "./OrderRow.js"
import type { Tables } from "../db/Tables.js"

/** A create that was decided: its order, its total and the account's balance after its debit. */
export interface NewOrder {
  readonly id: string
  readonly command: IntakeCommand
  readonly hash: string
  readonly amount: string
  readonly currency: string
  readonly balanceAfter: string
}

/**
 * Orders, their ledger debits, their outbox rows and the new balances in one statement (one round trip while the
 * account rows are locked). Foreign keys between the CTEs are checked at the end of the statement. The orders of one
 * batch share one `created_at`: the Clock's time (`BusinessTime.ts`).
 */
export const insertOrders = (
  sql: SqlClient.SqlClient,
  t: Tables,
  created: ReadonlyArray<NewOrder>,
  owner: string | null,
  balances: ReadonlyArray<{ readonly id: string; readonly balance: string }>,
  createdAt: Statement.Fragment
) => {
  const column = <A>(f: (o: NewOrder) => A) => created.map(f)
  // the client infers an array parameter's type from its elements: one with only nulls needs it spelled out
  const nullableText = (f: (o: NewOrder) => string | null) =>
    Result.getOrThrow(PgTypes.array(column(f), PgTypes.OID.text))
  return sql<OrderRow>`
    with inserted as (
      insert into ${t.orders} (id, account_id, package_id, quantity, player_id, extra, price_amount, currency,
                          idempotency_key, request_hash, chain, created_at)
      -- a chain travels as its ids joined by commas (an instance id has none): unnest cannot carry arrays of arrays
      select i, a, p, q, pl, e, pr, c, k, h, string_to_array(ch, ','), ${createdAt} from unnest(
        ${column((o) => o.id)}::uuid[], ${column((o) => o.command.accountId)}::text[],
        ${column((o) => o.command.request.packageId)}::text[], ${column((o) => o.command.request.quantity)}::int[],
        ${column((o) => o.command.request.playerId)}::text[], ${nullableText((o) => o.command.request.extra ?? null)}::text[],
        ${column((o) => o.amount)}::numeric[], ${column((o) => o.currency)}::text[],
        ${nullableText((o) => o.command.idempotencyKey ?? null)}::text[], ${column((o) => o.hash)}::text[],
        ${nullableText((o) => ((o.command.chain ?? []).length === 0 ? null : o.command.chain!.join(",")))}::text[])
        as t (i, a, p, q, pl, e, pr, c, k, h, ch)
      returning *
    ), debited as (
      insert into ${t.ledger_entries} (account_id, kind, amount, balance_after, order_id)
      select a, 'debit', -amt, after, o from unnest(
        ${column((o) => o.command.accountId)}::text[], ${column((o) => o.amount)}::numeric[],
        ${column((o) => o.balanceAfter)}::numeric[], ${column((o) => o.id)}::uuid[]) as t (a, amt, after, o)
    ), queued as (
      -- owned by the creating node's engine from the start (fence 1), or unowned for any engine to claim
      insert into ${t.outbox} (order_id, owner_node, fence, claimed_at)
      select id, ${owner}::text, ${owner === null ? 0 : 1}, case when ${owner}::text is null then null else now() end
      from unnest(${column((o) => o.id)}::uuid[]) as t (id)
    ), charged as (
      update ${t.accounts} set balance = v.balance
      from unnest(${balances.map((b) => b.id)}::text[], ${balances.map((b) => b.balance)}::numeric[]) as v (id, balance)
      where accounts.id = v.id
    )
    select * from inserted`
}
