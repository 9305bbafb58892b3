import { Context, Data, DateTime, Effect, Layer } from "effect"
import type { CatalogueItem, ProviderClient, ProviderError } from "../providers/Provider.js"
import { CatalogueItemView, ProviderBalanceView, ProviderCallFailed } from "../providers/ProviderConfig.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { Providers } from "../providers/Providers.js"
import { scrub, secretsOf } from "../providers/Scrub.js"

/** A provider kind without a product list (our code inventory, the simulator). */
class NoCatalogue extends Data.TaggedError("NoCatalogue")<{ readonly message: string }> {}

const catalogueView = (item: CatalogueItem) =>
  new CatalogueItemView({
    sku: item.sku,
    name: item.name,
    ...(item.price === undefined ? {} : { price: item.price }),
    ...(item.available === undefined ? {} : { available: item.available }),
    ...(item.params === undefined ? {} : { params: item.params }),
    ...(item.meta === undefined ? {} : { meta: item.meta })
  })

/** Live questions asked of a configured provider itself: its balance and its catalogue. */
export class ProviderBalances extends Context.Service<ProviderBalances>()(
  "tawsil/providers/ProviderBalances",
  {
    make: Effect.gen(function* () {
      const configs = yield* ProviderConfigs
      const providers = yield* Providers

      const ask = <A>(
        providerId: string,
        question: (client: ProviderClient) => Effect.Effect<A, ProviderError | NoCatalogue>
      ) =>
        Effect.flatMap(configs.find(providerId), (row) =>
          providers.client(providerId).pipe(
            Effect.flatMap(({ client }) => question(client)),
            // the client's errors are scrubbed already (`Providers`); this answer goes to an admin: scrub again
            Effect.mapError(
              (error) =>
                new ProviderCallFailed({
                  message: scrub(error.message, secretsOf(row.credentials)),
                  providerId,
                  reason: error._tag
                })
            )
          )
        )

      const check = Effect.fn("ProviderBalances.check")(function* (providerId: string) {
        const answer = yield* ask(providerId, (client) => client.balance)
        return new ProviderBalanceView({
          providerId,
          balance: answer.balance,
          ...(answer.currency === undefined ? {} : { currency: answer.currency }),
          checkedAt: yield* DateTime.now
        })
      })

      const catalogue = Effect.fn("ProviderBalances.catalogue")(function* (providerId: string) {
        const items = yield* ask(
          providerId,
          (client) => client.catalogue ?? new NoCatalogue({ message: "this provider kind has no catalogue" })
        )
        return items.map(catalogueView)
      })

      return { check, catalogue } as const
    })
  }
) {
  static readonly layer = Layer.effect(this, this.make)
}
