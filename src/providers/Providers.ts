import { Cache, Context, Duration, Effect, Exit, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TawsilTables } from "../db/Tables.js"
import { makeBarakatFactory } from "./Barakat.js"
import { builtInKindSchemas } from "./BuiltInKinds.js"
import { codesFactory } from "./Codes.js"
import { ProviderMisconfigured } from "./Provider.js"
import { SimulatorOptions } from "./ProviderConfig.js"
import { ProviderConfigs } from "./ProviderConfigs.js"
import { addedKinds, type ProviderKind } from "./ProviderKinds.js"
import { providerLimits } from "./ProviderLimits.js"
import { instrumentProvider } from "./ProviderMetrics.js"
import { secretsOf } from "./Scrub.js"
import { scrubbedClient } from "./ScrubbedClient.js"
import { SimulatorProvider } from "./Simulator.js"
import { TawsilInstance } from "./TawsilChain.js"
import { makeZnetFactory } from "./Znet.js"

const decodeSimulatorOptions = Schema.decodeUnknownEffect(SimulatorOptions)

/**
 * The kinds this build can talk to, with those a host adds (`ProviderKinds`, which win over a built-in kind of the
 * same name). A kind without a factory is a misconfiguration, not a crash. The wire adapters keep their
 * per-provider rate limiters and check batchers in the layer's scope, and need an `HttpClient`.
 */
const kindsOfThisBuild = Effect.gen(function* () {
  const simulator = yield* SimulatorProvider
  const sql = yield* SqlClient.SqlClient
  const t = yield* TawsilTables
  const builtIn: Readonly<Record<string, ProviderKind>> = {
    codes: { ...builtInKindSchemas.codes, make: codesFactory(sql, t), reach: "local" },
    znet: { ...builtInKindSchemas.znet, make: yield* makeZnetFactory(), reach: "remote" },
    barakat: { ...builtInKindSchemas.barakat, make: yield* makeBarakatFactory(), reach: "remote" },
    simulator: {
      ...builtInKindSchemas.simulator,
      make: (row) =>
        decodeSimulatorOptions(row.options).pipe(
          Effect.map((options) => simulator.client(row.id, options)),
          Effect.mapError(
            () => new ProviderMisconfigured({ message: `provider ${row.id}: invalid simulator options` })
          )
        ),
      reach: "local"
    }
  }
  return { ...builtIn, ...Object.fromEntries(yield* addedKinds) }
})

/** Configured providers by id: the engine's way to a `ProviderClient`. */
export class Providers extends Context.Service<Providers>()("tawsil/providers/Providers", {
  make: Effect.gen(function* () {
    const configs = yield* ProviderConfigs
    const kinds = yield* kindsOfThisBuild

    const load = (providerId: string) =>
      Effect.gen(function* () {
        const row = yield* configs
          .find(providerId)
          .pipe(
            Effect.mapError(
              () => new ProviderMisconfigured({ message: `provider ${providerId} is not configured` })
            )
          )
        if (!row.enabled)
          return yield* new ProviderMisconfigured({ message: `provider ${providerId} is disabled` })
        const kind = kinds[row.kind]
        if (kind === undefined) {
          return yield* new ProviderMisconfigured({ message: `no adapter for provider kind "${row.kind}"` })
        }
        // the provider's own limits (options): the engine applies its timeouts, a wire adapter all four
        const limits = yield* providerLimits(row)
        // every kind, a host's own included: no form of a credential leaves a provider's answer
        const client = scrubbedClient(yield* kind.make(row), secretsOf(row.credentials))
        return { kind: row.kind, reach: kind.reach, client: instrumentProvider(providerId, client), limits }
      })

    // every send and check needs its provider's client: a configuration change takes effect within seconds
    // only successes are kept: a failed lookup (a database blip) is never remembered
    // (a zero time to live drops the entry as its lookup fails, before any caller sees the failure)
    const cache = yield* Cache.makeWith(load, {
      capacity: 1000,
      timeToLive: (exit) => (Exit.isSuccess(exit) ? Duration.seconds(5) : Duration.zero)
    })

    const client = (providerId: string) =>
      Cache.get(cache, providerId).pipe(Effect.onError(() => Cache.invalidate(cache, providerId)))

    return { client } as const
  })
}) {
  // the Barakat adapter sends this instance's id in every call's X-Tawsil-Chain
  static readonly layer = Layer.effect(this, this.make).pipe(Layer.provide(TawsilInstance.layer))
}
