import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { CreateAccountRequest, CreditRequest } from "../orders/Account.js"
import { Accounts } from "../orders/Accounts.js"
import { CreateOrderRequest } from "../orders/Order.js"
import { Orders } from "../orders/Orders.js"
import { Packages } from "../orders/Packages.js"
import { PutPackageRequest, type Route } from "../orders/Package.js"
import type { Script } from "./Script.js"
import { ScriptedProvider, scriptedKind } from "./ScriptedProvider.js"
import { TawsilTables } from "../db/Tables.js"

/** A provider `providerId` of kind `scripted`, answering every order by `script`. */
export const scriptedProvider = (providerId: string, script: Script = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    yield* sql`
      insert into ${t.providers} (id, kind, name, enabled) values (${providerId}, ${scriptedKind}, ${providerId}, true)
      on conflict (id) do update set kind = excluded.kind, enabled = true, updated_at = now()`.pipe(
      Effect.orDie
    )
    yield* (yield* ScriptedProvider).script(providerId, script)
  })

/** A reseller account holding `balance`; its id and API key. */
export const reseller = (balance = "100.00", currency = "USD") =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const created = yield* accounts.create(new CreateAccountRequest({ name: "Test reseller", currency }))
    yield* accounts.credit(created.account.id, new CreditRequest({ amount: balance })).pipe(Effect.orDie)
    return { accountId: created.account.id, apiKey: created.apiKey }
  })

/** A package sold at `price` along `route` (e.g. `{ mode: "auto", primary: "acme" }`). */
export const product = (packageId: string, route: Route, price = "10.00", currency = "USD") =>
  Effect.flatMap(Packages, (packages) =>
    packages.put(packageId, new PutPackageRequest({ name: packageId, price, currency, enabled: true, route }))
  ).pipe(Effect.orDie)

export interface ShopOptions {
  readonly script?: Script | undefined
  readonly balance?: string | undefined
  readonly price?: string | undefined
}

/**
 * Everything one scenario needs: a scripted provider `scripted` answering by `script`, a package `test-package`
 * routed to it at `price` (10.00 USD), and a reseller holding `balance` (100.00 USD), with its orders at hand.
 */
export const shop = (options: ShopOptions = {}) =>
  Effect.gen(function* () {
    const providerId = "scripted"
    const packageId = "test-package"
    yield* scriptedProvider(providerId, options.script)
    yield* product(packageId, { mode: "auto", primary: providerId }, options.price)
    const { accountId, apiKey } = yield* reseller(options.balance)
    const orders = yield* Orders
    const accounts = yield* Accounts
    const scripted = yield* ScriptedProvider
    return {
      accountId,
      apiKey,
      packageId,
      providerId,
      /** Creates an order (answers at once: pending, queued); the engine takes it from there. */
      order: (input: { readonly playerId?: string; readonly idempotencyKey?: string } = {}) =>
        orders
          .create({
            accountId,
            request: new CreateOrderRequest({
              packageId,
              playerId: input.playerId ?? "5551234",
              quantity: 1
            }),
            idempotencyKey: input.idempotencyKey
          })
          .pipe(Effect.map((created) => created.order)),
      /** The order as its reseller sees it now. */
      get: (orderId: string) => orders.get(accountId, orderId).pipe(Effect.orDie),
      /** The reseller's balance now. */
      balance: accounts.get(accountId).pipe(
        Effect.map((account) => account.balance),
        Effect.orDie
      ),
      /** The scripted provider's calls for one order, oldest first. */
      calls: (orderId: string) => scripted.calls({ orderId })
    }
  })
