import { DateTime, Effect } from "effect"
import { ProviderCallFailed, ProviderBalanceView } from "./ProviderConfig.js"
import { ProviderConfigs } from "./ProviderConfigs.js"
import { Providers } from "./Providers.js"

/** The live balance of a configured provider, asked of the provider itself. */
export class ProviderBalances extends Effect.Service<ProviderBalances>()(
  "tawsil/providers/ProviderBalances",
  {
    effect: Effect.gen(function* () {
      const configs = yield* ProviderConfigs
      const providers = yield* Providers

      const check = Effect.fn("ProviderBalances.check")(function* (providerId: string) {
        yield* configs.find(providerId)
        const answer = yield* providers.client(providerId).pipe(
          Effect.flatMap(({ client }) => client.balance),
          Effect.mapError(
            (error) => new ProviderCallFailed({ message: error.message, providerId, reason: error._tag })
          )
        )
        return new ProviderBalanceView({
          providerId,
          balance: answer.balance,
          currency: answer.currency,
          checkedAt: yield* DateTime.now
        })
      })

      return { check } as const
    })
  }
) {}
