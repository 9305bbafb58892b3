import { Config, Effect, Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { SqlClient } from "effect/sql"
import { CodeInventory } from "../admin/CodeInventory.js"
import { OperatorActions } from "../admin/OperatorActions.js"
import { ProviderBalances } from "../admin/ProviderBalances.js"
import { Callbacks } from "../callbacks/Callbacks.js"
import { CallbackWorkerLive } from "../callbacks/CallbackWorker.js"
import { Dashboard } from "../dashboard/Dashboard.js"
import { MigrationsLive } from "../db/Migrations.js"
import { TawsilTables } from "../db/Tables.js"
import { defaultSchemaName, schemaLayer } from "../db/TawsilSchema.js"
import { UntransformedSqlLive } from "../db/UntransformedSql.js"
import { DispatchConfig, type DispatchSettings } from "../dispatch/DispatchConfig.js"
import { Dispatcher, DispatchHandoffLive, OutboxWakeLive } from "../dispatch/Dispatcher.js"
import { Accounts } from "../orders/Accounts.js"
import { Ledger } from "../orders/Ledger.js"
import { OrderRepo } from "../orders/OrderRepo.js"
import { Orders } from "../orders/Orders.js"
import { Packages } from "../orders/Packages.js"
import { AnnounceOrderChanges } from "../orders/settlement/AnnounceOrderChanges.js"
import { type OnSettled, SettlementHook } from "../orders/settlement/SettlementHook.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { ProviderKinds } from "../providers/ProviderKinds.js"
import { Providers } from "../providers/Providers.js"
import { SimulatorProvider } from "../providers/Simulator.js"

/**
 * The composition root: the one place that builds Tawsil's graph of services. `main.ts` adds the infrastructure
 * (Postgres, an HTTP client, the HTTP server) and launches; a host service adds its own.
 */

export interface TawsilOptions<R = never> {
  /**
   * the Postgres schema of Tawsil's tables and its migrations record (default `tawsil`): a lower-case identifier
   * (a-z, 0-9, _), neither `public` nor `pg_*`. A bad name fails the layer's build. Set it alike on every node.
   */
  readonly schema?: string | undefined
  /**
   * engine settings; anything left out keeps its default (`DispatchConfig.defaults`). `"environment"` reads them
   * from the `TAWSIL_*` variables (README → Configuration), as the standalone service does.
   */
  readonly dispatch?: Partial<DispatchSettings> | "environment" | undefined
  /** provider kinds added to the built-in ones, e.g. `ProviderKinds.layer({ acme: acmeFactory })` */
  readonly providerKinds?: Layer.Layer<ProviderKinds, never, R> | undefined
  /**
   * run inside the transaction that settles an order (approved or rejected, by the engine or an operator), with the same
   * `SqlClient`: the host's rows change with the settlement or not at all. If it fails, the settlement is rolled
   * back and the engine settles the order again later (its fiber restarts from the database after 5 s).
   */
  readonly onSettled?: OnSettled | undefined
  /**
   * announce every settlement with Postgres `NOTIFY`, so that `Orders.changes` follows them across nodes (and
   * `Orders.awaitSettled` wakes at once rather than re-reading every second). Off by default: notifying commits
   * take turns on Postgres's notify lock. Set it alike on every node; `"environment"` reads `TAWSIL_ORDER_CHANGES`.
   */
  readonly orderChanges?: boolean | "environment" | undefined
}

const orderChangesConfig = Config.Boolean("TAWSIL_ORDER_CHANGES").pipe(Config.withDefault(false))

const announceLayer = (option: TawsilOptions<unknown>["orderChanges"]) =>
  option === "environment"
    ? Layer.effect(AnnounceOrderChanges, Effect.orDie(orderChangesConfig))
    : Layer.succeed(AnnounceOrderChanges, option === true)

/** The services a Tawsil layer gives: what the HTTP handlers and a host use. */
export type TawsilServices =
  | Orders
  | OperatorActions
  | Accounts
  | Packages
  | Ledger
  | OrderRepo
  | ProviderConfigs
  | ProviderBalances
  | CodeInventory
  | Dashboard
  | DispatchConfig
  | SimulatorProvider
  | Callbacks
  | TawsilTables

/** What a Tawsil layer needs from its host: a Postgres connection and an HTTP client for the providers. */
export type TawsilRequirements = SqlClient.SqlClient | HttpClient.HttpClient

/** The domain services; new orders are handed to the engine when one is given (`DispatchHandoff`). */
const ServicesLive = Layer.mergeAll(
  Orders.layer,
  Accounts.layer,
  Packages.layer,
  OrderRepo.layer,
  CodeInventory.layer,
  ProviderBalances.layer,
  OperatorActions.layer,
  Ledger.layer,
  Dashboard.layer,
  Callbacks.layer
)

/** Configured providers, with the adapters of every kind this build knows and those the host adds. */
const ProvidersLive = Providers.layer.pipe(
  Layer.provideMerge(SimulatorProvider.layer),
  Layer.provideMerge(ProviderConfigs.layer)
)

/**
 * This node's engine, which new orders reach straight after their commit (or a host's commit: `OutboxWake`), and
 * its settlement-callback delivery worker.
 */
const EngineLive = Layer.mergeAll(DispatchHandoffLive, OutboxWakeLive, CallbackWorkerLive).pipe(
  Layer.provideMerge(Dispatcher.layer)
)

const build = <ROut, R, RKinds>(services: Layer.Layer<ROut, never, R>, options: TawsilOptions<RKinds>) =>
  services.pipe(
    Layer.provideMerge(ProvidersLive),
    Layer.provideMerge(
      options.dispatch === "environment"
        ? DispatchConfig.layerFromEnv
        : DispatchConfig.layer(options.dispatch)
    ),
    Layer.provide(options.providerKinds ?? ProviderKinds.none),
    Layer.provide(
      options.onSettled === undefined
        ? Layer.empty
        : Layer.succeed(SettlementHook, { onSettled: options.onSettled })
    ),
    Layer.provide(announceLayer(options.orderChanges)),
    // provided last, so built first: the engine's first heartbeat and claim need the tables
    Layer.provide(MigrationsLive),
    // the tables in their schema, for Tawsil's statements (and a host's or a test's own)
    Layer.provideMerge(TawsilTables.layer),
    // the one place Tawsil takes the host's SqlClient: without its name transforms, for every service above
    Layer.provide(UntransformedSqlLive),
    Layer.provide(schemaLayer(options.schema ?? defaultSchemaName, "layer({ schema })"))
  )

/**
 * Tawsil inside a host service: `Orders` (create, get, list), `OperatorActions` (approve, reject, dispatch,
 * check), `Accounts`, `Packages`, `ProviderConfigs`, the ledger and a dispatch engine whose order fibers live in
 * this layer's scope. It needs the host's `SqlClient` and `HttpClient`: Tawsil's migrations (its own tables,
 * in the Postgres schema `tawsil` or `options.schema`, tracked in its `tawsil_migrations`) run on it before
 * anything else starts. Tawsil's statements ignore the host client's name transforms.
 */
export const layer = <R = never>(
  options: TawsilOptions<R> = {}
): Layer.Layer<TawsilServices | Dispatcher, never, TawsilRequirements | R> =>
  build(ServicesLive.pipe(Layer.provideMerge(EngineLive)), options)

/**
 * The services without an engine in this process (an intake-only node): new orders are written unowned, and an
 * engine elsewhere on the database claims them.
 */
export const servicesLayer = <R = never>(
  options: TawsilOptions<R> = {}
): Layer.Layer<TawsilServices, never, TawsilRequirements | R> => build(ServicesLive, options)

/** `layer()` with the default settings and the built-in provider kinds. */
export const TawsilLive = layer()
