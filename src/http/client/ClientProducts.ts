import { Effect } from "effect"
import type { Package } from "../../orders/Package.js"
import { Packages } from "../../orders/Packages.js"
import type { ClientAuth } from "./ClientAuth.js"
import { extraParam, playerIdParam, quantityLimits } from "./NewOrderParams.js"

const toProduct = (pkg: Package) => ({
  id: pkg.id,
  name: pkg.name,
  price: pkg.price,
  category_name: null,
  available: true,
  params: [playerIdParam, extraParam],
  product_type: "package",
  qty_values: quantityLimits
})

/**
 * `GET /client/api/products`: the packages the account can order (enabled, in its currency) as Barakat products;
 * a product's `id` is the package id a newOrder names.
 */
export const makeProducts = (auth: ClientAuth) =>
  Effect.gen(function* () {
    const packages = yield* Packages
    return Effect.gen(function* () {
      const account = yield* auth.account
      const all = yield* packages.list
      return all.filter((pkg) => pkg.enabled && pkg.currency === account.currency).map(toProduct)
    }).pipe(Effect.withSpan("ClientApi.products"))
  })
