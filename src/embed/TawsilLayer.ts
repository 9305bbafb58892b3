import { Layer } from "effect"
import { MigrationsLive } from "../db/Migrations.js"
import { DispatchConfig, type DispatchSettings } from "../dispatch/DispatchConfig.js"
import { ServicesWithEngineLive } from "../http/Server.js"
import { ProviderKinds } from "../providers/ProviderKinds.js"

export interface TawsilOptions<R = never> {
  /** engine settings; anything left out keeps its default (`DispatchConfig.defaults`) */
  readonly dispatch?: Partial<DispatchSettings> | undefined
  /** provider kinds added to the built-in ones, e.g. `ProviderKinds.layer({ acme: acmeFactory })` */
  readonly providerKinds?: Layer.Layer<ProviderKinds, never, R> | undefined
}

/**
 * Tawsil inside a host service: `Orders` (create, get, list), `OperatorActions` (approve, reject, dispatch,
 * check), `Accounts`, `Packages`, `ProviderConfigs`, the ledger and a dispatch engine whose order fibers live in
 * this layer's scope. It needs only the host's `SqlClient`: Tawsil's migrations (its own tables, tracked in
 * `tawsil_migrations`) run on it before anything else starts.
 */
export const layer = <R = never>(options: TawsilOptions<R> = {}) =>
  ServicesWithEngineLive.pipe(
    Layer.provideMerge(DispatchConfig.layer(options.dispatch)),
    Layer.provide(options.providerKinds ?? ProviderKinds.none),
    // provided last, so built first: the engine's first heartbeat and claim need the tables
    Layer.provide(MigrationsLive)
  )

/** `layer()` with the default settings and the built-in provider kinds. */
export const TawsilLive = layer()
