import { Context, type Effect, Layer } from "effect"
import type { ProviderClient, ProviderMisconfigured } from "./Provider.js"
import type { ProviderRow } from "./ProviderConfigs.js"

/** Builds the client of one configured provider; one factory per provider kind. */
export type ProviderFactory = (row: ProviderRow) => Effect.Effect<ProviderClient, ProviderMisconfigured>

/**
 * Provider kinds added to the built-in ones (`znet`, `barakat`, `codes`, `simulator`) by a host service embedding
 * Tawsil, or by a test (`tawsil/testing`'s scripted provider). A provider row whose `kind` names one of them is
 * served by its factory; a built-in kind of the same name is replaced.
 */
export class ProviderKinds extends Context.Service<
  ProviderKinds,
  Readonly<Record<string, ProviderFactory>>
>()("tawsil/providers/ProviderKinds") {
  static readonly layer = (kinds: Readonly<Record<string, ProviderFactory>>) =>
    Layer.succeed(ProviderKinds, kinds)

  static readonly none = ProviderKinds.layer({})
}
