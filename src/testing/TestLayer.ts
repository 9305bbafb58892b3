import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Layer } from "effect"
import type { DispatchSettings } from "../dispatch/DispatchConfig.js"
import type { ProviderKindInput } from "../providers/ProviderKinds.js"
import { layer as tawsilLayer } from "../embed/TawsilLayer.js"
import { EngineClock } from "./EngineClock.js"
import { ScriptedProvider } from "./ScriptedProvider.js"
import { TestPostgres } from "./TestPostgres.js"

/**
 * Engine settings for tests: no retry jitter (exact delays), no shutdown grace, and a heartbeat and lease so long
 * that no TestClock jump can make the node look silent. Anything given in `layer({ dispatch })` wins.
 */
export const testDispatchSettings: Partial<DispatchSettings> = {
  retryJitter: false,
  shutdownGrace: Duration.zero,
  heartbeatInterval: Duration.hours(1),
  leaseTtl: Duration.days(1)
}

export interface TestLayerOptions {
  readonly dispatch?: Partial<DispatchSettings> | undefined
  /** as `layer({ orderChanges })`: settlements announced for `Orders.changes` (set it as production does) */
  readonly orderChanges?: boolean | undefined
  /** the host's own provider kinds, beside the kit's `scripted` one */
  readonly providerKinds?: Readonly<Record<string, ProviderKindInput>> | undefined
  /** as `layer({ schema })`: the schema of Tawsil's tables (default `tawsil`); the kit's own SQL follows it */
  readonly schema?: string | undefined
}

/**
 * Tawsil as a host embeds it, with the `scripted` provider kind and `ScriptedProvider`, its fibers on the test's
 * TestClock (seen by `advance`). Needs a `SqlClient`: for a host's test that brings its own (from `TestPostgres`).
 * Build it inside the test (`Effect.provide`), before anything that starts fibers.
 */
export const layerWithSql = (options: TestLayerOptions = {}) =>
  tawsilLayer({
    dispatch: { ...testDispatchSettings, ...options.dispatch },
    providerKinds: ScriptedProvider.kindsWith(options.providerKinds ?? {}),
    orderChanges: options.orderChanges,
    schema: options.schema
  }).pipe(
    Layer.provideMerge(ScriptedProvider.layer),
    Layer.provideMerge(EngineClock.layer),
    // the wire adapters (znet, barakat) are built with the layer even when a test only scripts providers
    Layer.provide(NodeHttpClient.layerNodeHttp)
  )

/** `layerWithSql` on a fresh database of its own (`TestPostgres`), which it also gives. */
export const layer = (options: TestLayerOptions = {}) =>
  layerWithSql(options).pipe(Layer.provideMerge(TestPostgres))
