import { Cache, Context, Duration, Effect, Exit, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import {
  Account,
  AccountId,
  AccountNotFound,
  CreatedAccount,
  type CreateAccountRequest,
  type CreditRequest
} from "./Account.js"
import { hashApiKey, newAccountId, newApiKey } from "./ApiKeys.js"
import { ensureCreditFits } from "./BalanceRange.js"
import { fromCents, normalize, toCents } from "./Money.js"
import { debitWithinOverdraft } from "./settlement/Overdraft.js"
import { TawsilTables } from "../db/Tables.js"

interface AccountRow {
  readonly id: string
  readonly name: string
  readonly balance: string
  readonly overdraft_limit: string
  readonly currency: string
}

const toAccount = (row: AccountRow) =>
  new Account({
    id: AccountId.make(row.id),
    name: row.name,
    balance: normalize(row.balance),
    overdraftLimit: normalize(row.overdraft_limit),
    currency: row.currency
  })

export class Accounts extends Context.Service<Accounts>()("tawsil/orders/Accounts", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    // only a key found is remembered: an unknown key (it may be created a moment later) and a failed lookup (the
    // database may be back a moment later) are asked again on the next request
    const found = (exit: Exit.Exit<Option.Option<AccountId>>) =>
      Exit.isSuccess(exit) && Option.isSome(exit.value)
    const keyCache = yield* Cache.makeWith(
      (keyHash: string) =>
        sql<{ account_id: string }>`
          select account_id from ${t.api_keys} where key_hash = ${keyHash} and revoked_at is null`.pipe(
          Effect.map((rows) =>
            Option.map(Option.fromNullishOr(rows[0]), (row) => AccountId.make(row.account_id))
          ),
          Effect.orDie
        ),
      {
        capacity: 100_000,
        timeToLive: (exit) => (found(exit) ? Duration.seconds(30) : Duration.zero)
      }
    )

    const create = Effect.fn("Accounts.create")(function* (request: CreateAccountRequest) {
      const id = newAccountId()
      const apiKey = newApiKey()
      const rows = yield* sql.withTransaction(
        sql<AccountRow>`insert into ${t.accounts} (id, name, currency, overdraft_limit)
            values (${id}, ${request.name}, ${request.currency}, ${request.overdraftLimit}) returning *`.pipe(
          Effect.tap(
            sql`insert into ${t.api_keys} (key_hash, account_id) values (${hashApiKey(apiKey)}, ${id})`
          )
        )
      )
      yield* Effect.logInfo("account created").pipe(Effect.annotateLogs({ accountId: id }))
      return new CreatedAccount({ account: toAccount(rows[0]!), apiKey })
    }, Effect.orDie)

    const get = Effect.fn("Accounts.get")(function* (id: string) {
      const rows = yield* sql<AccountRow>`select * from ${t.accounts} where id = ${id}`.pipe(Effect.orDie)
      const row = rows[0]
      if (row === undefined)
        return yield* new AccountNotFound({ message: "account not found", accountId: id })
      return toAccount(row)
    })

    /** A top-up (positive) or a correction (negative), recorded in the ledger under the account's row lock. */
    const credit = Effect.fn("Accounts.credit")(function* (id: string, request: CreditRequest) {
      const account = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const rows = yield* sql<AccountRow>`select * from ${t.accounts} where id = ${id} for update`
            const row = rows[0]
            if (row === undefined)
              return yield* new AccountNotFound({ message: "account not found", accountId: id })
            const after = yield* Effect.fromResult(
              debitWithinOverdraft(
                { balance: toCents(row.balance), overdraftLimit: row.overdraft_limit },
                -toCents(request.amount),
                "the correction would pass the overdraft limit"
              )
            )
            yield* ensureCreditFits(sql, t, id, { before: toCents(row.balance), after })
            const kind = request.amount.startsWith("-") ? "correction" : "credit"
            const updated = yield* sql<AccountRow>`
            update ${t.accounts} set balance = ${fromCents(after)} where id = ${id} returning *`
            yield* sql`insert into ${t.ledger_entries} (account_id, kind, amount, balance_after, note)
                     values (${id}, ${kind}, ${request.amount}, ${fromCents(after)}, ${request.note ?? null})`
            return toAccount(updated[0]!)
          })
        )
        .pipe(Effect.catchTag("SqlError", Effect.die))
      yield* Effect.logInfo("account credited").pipe(
        Effect.annotateLogs({ accountId: id, amount: request.amount, balance: account.balance })
      )
      return account
    })

    // a zero time to live drops the entry as soon as its lookup completes (v4 Cache: also under a TestClock)
    const authenticate = (apiKey: string) => Cache.get(keyCache, hashApiKey(apiKey))

    return { create, get, credit, authenticate } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
