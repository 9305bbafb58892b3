import { Context, Effect, Option } from "effect"
import type { ProviderTransient } from "./Provider.js"

/**
 * Consulted right before a request leaves for a provider (after any rate-limit wait). The engine uses it to refuse
 * calls from a node that may have lost its leases (paused, partitioned) and to start its send timer only when the
 * request really goes out.
 */
export class ProviderCallGuard extends Context.Service<
  ProviderCallGuard,
  { readonly beforeCall: Effect.Effect<void, ProviderTransient> }
>()("tawsil/providers/ProviderCallGuard") {}

export const guarded = <A, E, R>(call: Effect.Effect<A, E, R>): Effect.Effect<A, E | ProviderTransient, R> =>
  Effect.flatMap(Effect.serviceOption(ProviderCallGuard), (guard) =>
    Option.match(guard, { onNone: () => call, onSome: (g) => Effect.andThen(g.beforeCall, call) })
  )
