import { Effect, Result } from "effect"
import { SqlClient } from "effect/sql"
import type { Tables } from "../db/Tables.js"
import { outOfRange } from "./BalanceRange.js"
import { businessTime } from "./BusinessTime.js"
import type { CreatedOrder, CreateOrderError, IntakeCommand } from "./CreateOrder.js"
import { requestHash } from "./CreateOrder.js"
import { fromCents, maxStoredCents, toCents } from "./Money.js"
import { IdempotencyKeyReused } from "./Order.js"
import { type OrderRow, toOrder } from "./OrderRow.js"
import type { DispatchJob } from "./DispatchJob.js"
import { CurrencyMismatch, PackageNotFound, PackageUnavailable } from "./Package.js"
import { type PackageRow, toRoute } from "./Packages.js"
import { insertOrders, type NewOrder } from "./IntakeInsert.js"
import { toDispatchJob } from "./OrderLookup.js"
import { debitWithinOverdraft } from "./settlement/Overdraft.js"

export type IntakeResult = Result.Result<CreatedOrder, CreateOrderError>

interface AccountRow {
  readonly id: string
  readonly balance: string
  readonly overdraft_limit: string
  readonly currency: string
}

const keyOf = (accountId: string, key: string) => `${accountId}\u0000${key}`

/**
 * Writes a batch of creates in one transaction: lock the accounts (in id order, so concurrent batches cannot
 * deadlock), look up idempotency keys, decide each command in arrival order against the running balance, then
 * insert orders, ledger debits and outbox rows and update the balances. Results are in the commands' order.
 */
export const writeIntakeBatch = (t: Tables, commands: ReadonlyArray<IntakeCommand>, owner: string | null) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const accountIds = [...new Set(commands.map((c) => c.accountId))].sort()
    const packageIds = [...new Set(commands.map((c) => c.request.packageId))]
    const keyed = commands.filter((c) => c.idempotencyKey !== undefined)

    // packages first: the account locks are held for as few round trips as possible
    const packages = yield* sql<Omit<PackageRow, "name">>`
      select id, price, currency, enabled, route_mode, primary_provider, fallback_provider, mappings
      from ${t.packages} where id = any(${packageIds})`
    const accounts = yield* sql<AccountRow>`
      select id, balance, overdraft_limit, currency from ${t.accounts} where id = any(${accountIds}) order by id for update`
    const prior =
      keyed.length === 0
        ? []
        : yield* sql<OrderRow>`
            select o.* from ${t.orders} o
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
      return Result.map(
        debitWithinOverdraft(
          { balance: before, overdraftLimit: account.overdraft_limit },
          required,
          "الرصيد غير كافٍ لتنفيذ الطلب (insufficient balance)"
        ),
        (after) => {
          balance.set(account.id, after)
          const order: NewOrder = {
            id: command.orderId,
            command,
            hash,
            amount: fromCents(required),
            currency: pkg.currency,
            balanceAfter: fromCents(after)
          }
          if (key !== undefined) newByKey.set(key, order)
          return order
        }
      )
    }

    const decisions = commands.map(decide)
    const created = decisions.flatMap((d) =>
      Result.isSuccess(d) && "command" in d.success ? [d.success] : []
    )
    const changed = accountIds.filter((id) => balance.get(id) !== toCents(accountById.get(id)!.balance))
    const balances = changed.map((id) => ({ id, balance: fromCents(balance.get(id)!) }))
    const inserted =
      created.length === 0
        ? []
        : yield* insertOrders(sql, t, created, owner, balances, yield* businessTime(sql))
    const rowById = new Map(inserted.map((row) => [row.id, row]))

    // one route per package: the jobs of a package share it (an order's fiber keeps it as long as it runs)
    const routeById = new Map(packages.map((p) => [p.id, toRoute(p)]))
    const jobs: ReadonlyArray<DispatchJob> = inserted.map((row) =>
      toDispatchJob(row, routeById.get(row.package_id)!, packageById.get(row.package_id)!.mappings)
    )
    const results = decisions.map((decision): IntakeResult =>
      Result.map(decision, (d) => {
        if ("command" in d) return { order: toOrder(rowById.get(d.id)!), replayed: false }
        const row = "command" in d.replayOf ? rowById.get(d.replayOf.id)! : d.replayOf
        return { order: toOrder(row), replayed: true }
      })
    )
    return { results, jobs }
  })
