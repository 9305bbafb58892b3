import { PgTypes } from "@effect/sql-pg"
import { Effect, Result } from "effect"
import { SqlClient } from "effect/sql"
import { InsufficientBalance } from "./Account.js"
import { outOfRange } from "./BalanceRange.js"
import type { CreatedOrder, CreateOrderError, IntakeCommand } from "./CreateOrder.js"
import { requestHash } from "./CreateOrder.js"
import { fromCents, maxStoredCents, toCents } from "./Money.js"
import { IdempotencyKeyReused } from "./Order.js"
import { type OrderRow, toOrder } from "./OrderRow.js"
import type { NewOrderJob } from "./DispatchHandoff.js"
import { CurrencyMismatch, type Mapping, PackageNotFound, PackageUnavailable } from "./Package.js"

export type IntakeResult = Result.Result<CreatedOrder, CreateOrderError>

interface PackageRow {
  readonly id: string
  readonly price: string
  readonly currency: string
  readonly enabled: boolean
  readonly route_mode: "auto" | "manual"
  readonly primary_provider: string | null
  readonly fallback_provider: string | null
  readonly mappings: Record<string, Mapping>
}
interface AccountRow {
  readonly id: string
  readonly balance: string
  readonly overdraft_limit: string
  readonly currency: string
}
interface NewOrder {
  readonly id: string
  readonly command: IntakeCommand
  readonly hash: string
  readonly amount: string
  readonly currency: string
  readonly balanceAfter: string
}

const keyOf = (accountId: string, key: string) => `${accountId}\u0000${key}`

/**
 * Writes a batch of creates in one transaction: lock the accounts (in id order, so concurrent batches cannot
 * deadlock), look up idempotency keys, decide each command in arrival order against the running balance, then
 * insert orders, ledger debits and outbox rows and update the balances. Results are in the commands' order.
 */
export const writeIntakeBatch = (commands: ReadonlyArray<IntakeCommand>, owner: string | null) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const accountIds = [...new Set(commands.map((c) => c.accountId))].sort()
    const packageIds = [...new Set(commands.map((c) => c.request.packageId))]
    const keyed = commands.filter((c) => c.idempotencyKey !== undefined)

    // packages first: the account locks are held for as few round trips as possible
    const packages = yield* sql<PackageRow>`
      select id, price, currency, enabled, route_mode, primary_provider, fallback_provider, mappings
      from packages where id = any(${packageIds})`
    const accounts = yield* sql<AccountRow>`
      select id, balance, overdraft_limit, currency from accounts where id = any(${accountIds}) order by id for update`
    const prior =
      keyed.length === 0
        ? []
        : yield* sql<OrderRow>`
            select o.* from orders o
            join unnest(${keyed.map((c) => c.accountId)}::text[], ${keyed.map((c) => c.idempotencyKey!)}::text[])
              as k (account_id, key) on o.account_id = k.account_id and o.idempotency_key = k.key`

    const packageById = new Map(packages.map((p) => [p.id, p]))
    const accountById = new Map(accounts.map((a) => [a.id, a]))
    const balance = new Map(accounts.map((a) => [a.id, toCents(a.balance)]))
    const priorByKey = new Map(prior.map((row) => [keyOf(row.account_id, row.idempotency_key!), row]))
    const newByKey = new Map<string, NewOrder>()

    type Decision = Result.Result<NewOrder | { readonly replayOf: OrderRow | NewOrder }, CreateOrderError>
    const decide = (command: IntakeCommand): Decision => {
      const hash = requestHash(command.request)
      const key =
        command.idempotencyKey === undefined ? undefined : keyOf(command.accountId, command.idempotencyKey)
      if (key !== undefined) {
        const earlier = priorByKey.get(key) ?? newByKey.get(key)
        if (earlier !== undefined) {
          const earlierHash = "request_hash" in earlier ? earlier.request_hash : earlier.hash
          return earlierHash === hash
            ? Result.succeed({ replayOf: earlier })
            : Result.fail(
                new IdempotencyKeyReused({
                  message: "this Idempotency-Key was used with a different request body"
                })
              )
        }
      }
      const packageId = command.request.packageId
      const pkg = packageById.get(packageId)
      if (pkg === undefined)
        return Result.fail(new PackageNotFound({ message: "no such package", packageId }))
      if (!pkg.enabled)
        return Result.fail(new PackageUnavailable({ message: "the package is disabled", packageId }))
      const account = accountById.get(command.accountId)!
      if (account.currency !== pkg.currency) {
        return Result.fail(
          new CurrencyMismatch({
            message: `the package is priced in ${pkg.currency}, the account holds ${account.currency}`,
            packageCurrency: pkg.currency,
            accountCurrency: account.currency
          })
        )
      }
      const required = toCents(pkg.price) * BigInt(command.request.quantity)
      const before = balance.get(account.id)!
      if (required > maxStoredCents) {
        return Result.fail(
          outOfRange("the order's total (price × quantity) is past the largest amount", before)
        )
      }
      if (before - required < -toCents(account.overdraft_limit)) {
        return Result.fail(
          new InsufficientBalance({
            message: "الرصيد غير كافٍ لتنفيذ الطلب (insufficient balance)",
            balance: fromCents(before),
            required: fromCents(required)
          })
        )
      }
      balance.set(account.id, before - required)
      const order: NewOrder = {
        id: command.orderId,
        command,
        hash,
        amount: fromCents(required),
        currency: pkg.currency,
        balanceAfter: fromCents(before - required)
      }
      if (key !== undefined) newByKey.set(key, order)
      return Result.succeed(order)
    }

    const decisions = commands.map(decide)
    const created = decisions.flatMap((d) =>
      Result.isSuccess(d) && "command" in d.success ? [d.success] : []
    )
    const changed = accountIds.filter((id) => balance.get(id) !== toCents(accountById.get(id)!.balance))
    const balances = changed.map((id) => ({ id, balance: fromCents(balance.get(id)!) }))
    const inserted = created.length === 0 ? [] : yield* insertOrders(sql, created, owner, balances)
    const rowById = new Map(inserted.map((row) => [row.id, row]))

    const jobs: ReadonlyArray<NewOrderJob> = inserted.map((row) => {
      const pkg = packageById.get(row.package_id)!
      return {
        ...row,
        route_mode: pkg.route_mode,
        primary_provider: pkg.primary_provider,
        fallback_provider: pkg.fallback_provider,
        mappings: pkg.mappings
      }
    })
    const results = decisions.map((decision): IntakeResult =>
      Result.map(decision, (d) => {
        if ("command" in d) return { order: toOrder(rowById.get(d.id)!), replayed: false }
        const row = "command" in d.replayOf ? rowById.get(d.replayOf.id)! : d.replayOf
        return { order: toOrder(row), replayed: true }
      })
    )
    return { results, jobs }
  })

/**
 * Orders, their ledger debits, their outbox rows and the new balances in one statement (one round trip while the
 * account rows are locked). Foreign keys between the CTEs are checked at the end of the statement.
 */
const insertOrders = (
  sql: SqlClient.SqlClient,
  created: ReadonlyArray<NewOrder>,
  owner: string | null,
  balances: ReadonlyArray<{ readonly id: string; readonly balance: string }>
) => {
  const column = <A>(f: (o: NewOrder) => A) => created.map(f)
  // the client infers an array parameter's type from its elements: one with only nulls needs it spelled out
  const nullableText = (f: (o: NewOrder) => string | null) =>
    Result.getOrThrow(PgTypes.array(column(f), PgTypes.OID.text))
  return sql<OrderRow>`
    with inserted as (
      insert into orders (id, account_id, package_id, quantity, player_id, extra, price_amount, currency,
                          idempotency_key, request_hash)
      select * from unnest(
        ${column((o) => o.id)}::uuid[], ${column((o) => o.command.accountId)}::text[],
        ${column((o) => o.command.request.packageId)}::text[], ${column((o) => o.command.request.quantity)}::int[],
        ${column((o) => o.command.request.playerId)}::text[], ${nullableText((o) => o.command.request.extra ?? null)}::text[],
        ${column((o) => o.amount)}::numeric[], ${column((o) => o.currency)}::text[],
        ${nullableText((o) => o.command.idempotencyKey ?? null)}::text[], ${column((o) => o.hash)}::text[])
      returning *
    ), debited as (
      insert into ledger_entries (account_id, kind, amount, balance_after, order_id)
      select a, 'debit', -amt, after, o from unnest(
        ${column((o) => o.command.accountId)}::text[], ${column((o) => o.amount)}::numeric[],
        ${column((o) => o.balanceAfter)}::numeric[], ${column((o) => o.id)}::uuid[]) as t (a, amt, after, o)
    ), queued as (
      -- owned by the creating node's engine from the start (fence 1), or unowned for any engine to claim
      insert into outbox (order_id, owner_node, fence, claimed_at)
      select id, ${owner}::text, ${owner === null ? 0 : 1}, case when ${owner}::text is null then null else now() end
      from unnest(${column((o) => o.id)}::uuid[]) as t (id)
    ), charged as (
      update accounts set balance = v.balance
      from unnest(${balances.map((b) => b.id)}::text[], ${balances.map((b) => b.balance)}::numeric[]) as v (id, balance)
      where accounts.id = v.id
    )
    select * from inserted`
}
