import { Context, Effect, Layer, Option } from "effect"
import { builtInKindSchemas } from "./BuiltInKinds.js"
import type { ProviderClient, ProviderMisconfigured } from "./Provider.js"
import type { ProviderKindSchemas } from "./ProviderKindSchemas.js"
import type { ProviderRow } from "./ProviderRow.js"

/** Builds the client of one configured provider; one factory per provider kind. */
export type ProviderFactory = (row: ProviderRow) => Effect.Effect<ProviderClient, ProviderMisconfigured>

/**
 * A provider kind: its factory, how its adapter reaches the provider, and the schemas its provider rows are
 * checked by (`ProviderKindSchemas`; `row.options` holds what the options schema encoded). `remote`: over a wire,
 * calling the `ProviderCallGuard` as each request leaves (after any rate-limit wait), and the engine's send timeout
 * starts then. `local`: the send timeout starts with the call (an adapter that never calls the guard must be
 * `local`, or a send it never answers would never time out).
 */
export interface ProviderKind extends ProviderKindSchemas {
  readonly make: ProviderFactory
  readonly reach: "remote" | "local"
}

/** A kind as a host gives it: a plain factory is a `local` kind without schemas. */
export type ProviderKindInput = ProviderFactory | ProviderKind

export const providerKind = (input: ProviderKindInput): ProviderKind =>
  typeof input === "function" ? { make: input, reach: "local" } : input

/**
 * Provider kinds added to the built-in ones (`znet`, `barakat`, `codes`, `simulator`) by a host service embedding
 * Tawsil, or by a test (`tawsil/testing`'s scripted provider). A provider row whose `kind` names one of them is
 * served by its factory; a built-in kind of the same name is replaced.
 */
export class ProviderKinds extends Context.Service<
  ProviderKinds,
  Readonly<Record<string, ProviderKindInput>>
>()("tawsil/providers/ProviderKinds") {
  static readonly layer = (kinds: Readonly<Record<string, ProviderKindInput>>) =>
    Layer.succeed(ProviderKinds, kinds)

  static readonly none = ProviderKinds.layer({})
}

/** The kinds a host added, as given (none when the layer has no `ProviderKinds`). */
export const addedKinds = Effect.map(Effect.serviceOption(ProviderKinds), (added) =>
  Object.entries(Option.getOrElse(added, () => ({}))).map(
    ([name, kind]) => [name, providerKind(kind)] as const
  )
)

/** The schemas of every kind a provider row may name: the built-in ones and the host's (which win). */
export const registeredKindSchemas: Effect.Effect<Readonly<Record<string, ProviderKindSchemas>>> = Effect.map(
  addedKinds,
  (added) => ({ ...builtInKindSchemas, ...Object.fromEntries(added) })
)
