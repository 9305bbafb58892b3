import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { fromCents, normalize, toCents } from "../../src/orders/Money.js"

interface AccountMoney {
  readonly id: string
  readonly balance: string
  readonly credits: string
  readonly held: string
  readonly ledger_sum: string
}

interface OrderMoney {
  readonly id: string
  readonly number: string
  readonly status: string
  readonly dispatch_state: string
  readonly last_message: string | null
  readonly price_amount: string
  readonly debits: number
  readonly refunds: number
  readonly redebits: number
  readonly misfits: number
  readonly in_outbox: boolean
}

interface LedgerLine {
  readonly id: string
  readonly account_id: string
  readonly amount: string
  readonly balance_after: string
}

const settledState: Record<string, ReadonlyArray<string>> = {
  approved: ["done"],
  rejected: ["failed"],
  pending: ["queued", "sending", "awaiting", "manual"]
}

const accountProblems = (account: AccountMoney): ReadonlyArray<string> => {
  const balance = toCents(account.balance)
  const expected = toCents(account.credits) - toCents(account.held)
  return [
    ...(balance === expected
      ? []
      : [
          `account ${account.id}: balance ${normalize(account.balance)} ≠ credits ${normalize(account.credits)} − held ${normalize(account.held)} (${fromCents(expected)})`
        ]),
    ...(balance === toCents(account.ledger_sum)
      ? []
      : [
          `account ${account.id}: balance ${normalize(account.balance)} ≠ ledger sum ${normalize(account.ledger_sum)}`
        ])
  ]
}

const orderProblems = (order: OrderMoney): ReadonlyArray<string> => {
  const name = `order #${order.number} (${order.status}/${order.dispatch_state})`
  const owed = order.status === "rejected" ? 1 : 0
  const states = settledState[order.status] ?? []
  const waiting = order.status === "pending" && order.dispatch_state !== "manual"
  return [
    ...(order.debits === 1 ? [] : [`${name}: ${order.debits} debits`]),
    ...(order.refunds - order.redebits === owed
      ? []
      : [`${name}: ${order.refunds} refunds − ${order.redebits} re-debits ≠ ${owed}`]),
    ...(order.misfits === 0
      ? []
      : [`${name}: ${order.misfits} ledger rows not of its exact price or account`]),
    ...(states.includes(order.dispatch_state) ? [] : [`${name}: no such pair of status and dispatch state`]),
    ...(order.dispatch_state === "manual" && (order.last_message ?? "").trim() === ""
      ? [`${name}: manual without a reason`]
      : []),
    ...(waiting && !order.in_outbox ? [`${name}: waiting on the engine, but not in the outbox`] : [])
  ]
}

const chainProblems = (lines: ReadonlyArray<LedgerLine>): ReadonlyArray<string> => {
  const running = new Map<string, bigint>()
  return lines.flatMap((line) => {
    const after = (running.get(line.account_id) ?? 0n) + toCents(line.amount)
    running.set(line.account_id, after)
    return after === toCents(line.balance_after)
      ? []
      : [
          `account ${line.account_id}: ledger entry ${line.id} says balance ${line.balance_after}, the entries sum to ${fromCents(after)}`
        ]
  })
}

/**
 * Every way the database can disagree with "money you can trust", as readable lines (none: consistent). Read in
 * one repeatable-read transaction, so the engine may keep writing meanwhile: each of its writes is atomic.
 */
export const moneyProblems = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const read = Effect.gen(function* () {
    yield* sql`set transaction isolation level repeatable read`
    const accounts = yield* sql<AccountMoney>`
      select a.id, a.balance::text,
             coalesce((select sum(l.amount) from tawsil.ledger_entries l
                       where l.account_id = a.id and l.kind in ('credit', 'correction')), 0)::text as credits,
             coalesce((select sum(o.price_amount) from tawsil.orders o
                       where o.account_id = a.id and o.status in ('pending', 'approved')), 0)::text as held,
             coalesce((select sum(l.amount) from tawsil.ledger_entries l where l.account_id = a.id), 0)::text as ledger_sum
      from tawsil.accounts a order by a.id`
    const orders = yield* sql<OrderMoney>`
      select o.id, o.number::text, o.status, o.dispatch_state, o.last_message, o.price_amount::text,
             count(*) filter (where l.kind = 'debit')::int as debits,
             count(*) filter (where l.kind = 'refund')::int as refunds,
             count(*) filter (where l.kind = 'redebit')::int as redebits,
             count(*) filter (where l.account_id <> o.account_id
                                 or (l.kind = 'refund' and l.amount <> o.price_amount)
                                 or (l.kind in ('debit', 'redebit') and l.amount <> -o.price_amount)
                                 or l.kind not in ('debit', 'refund', 'redebit'))::int as misfits,
             exists (select 1 from tawsil.outbox b where b.order_id = o.id) as in_outbox
      from tawsil.orders o left join tawsil.ledger_entries l on l.order_id = o.id
      group by o.id order by o.number`
    const lines = yield* sql<LedgerLine>`
      select l.id::text, l.account_id, l.amount::text, l.balance_after::text
      from tawsil.ledger_entries l order by l.account_id, l.id`
    const strays = yield* sql<{ id: string; kind: string }>`
      select id::text, kind from tawsil.ledger_entries where (order_id is null) <> (kind in ('credit', 'correction'))`
    return [
      ...accounts.flatMap(accountProblems),
      ...orders.flatMap(orderProblems),
      ...chainProblems(lines),
      ...strays.map(
        (row) => `ledger entry ${row.id}: a ${row.kind} must name an order exactly when it moves one`
      )
    ]
  })
  return yield* sql.withTransaction(read).pipe(Effect.orDie)
})
