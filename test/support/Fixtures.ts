import { Effect } from "effect"
import { CreateAccountRequest, CreditRequest } from "../../src/orders/Account.js"
import { Accounts } from "../../src/orders/Accounts.js"
import { PutPackageRequest } from "../../src/orders/Package.js"
import { Packages } from "../../src/orders/Packages.js"
import { ProviderConfigs } from "../../src/providers/ProviderConfigs.js"

/** A funded reseller account; returns the account and its API key. */
export const fundedAccount = (balance: string, options: { currency?: string; name?: string } = {}) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const created = yield* accounts.create(
      new CreateAccountRequest({
        name: options.name ?? "Test Reseller",
        currency: options.currency ?? "USD",
        overdraftLimit: "0.00"
      })
    )
    if (balance !== "0.00") yield* accounts.credit(created.account.id, new CreditRequest({ amount: balance }))
    return created
  })

/** A simulator provider and a package routed to it. */
export const simulatorPackage = (
  id: string,
  price: string,
  options: { currency?: string; enabled?: boolean } = {}
) =>
  Effect.gen(function* () {
    yield* (yield* ProviderConfigs).put("sim", {
      kind: "simulator",
      name: "Simulator",
      enabled: true,
      options: {}
    })
    return yield* (yield* Packages).put(
      id,
      new PutPackageRequest({
        name: `Package ${id}`,
        price,
        currency: options.currency ?? "USD",
        enabled: options.enabled ?? true,
        route: { mode: "auto", primary: "sim" },
        mappings: {}
      })
    )
  })
