import { HttpApiBuilder, HttpApiSwagger } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { Dashboard } from "../dashboard/Dashboard.js"
import { DashboardPageLive } from "../dashboard/DashboardPage.js"
import { EngineLive } from "../dispatch/Engine.js"
import { Accounts } from "../orders/Accounts.js"
import { Ledger } from "../orders/Ledger.js"
import { OperatorActions } from "../orders/OperatorActions.js"
import { OrderRepo } from "../orders/OrderRepo.js"
import { Orders } from "../orders/Orders.js"
import { Packages } from "../orders/Packages.js"
import { CodeInventory } from "../providers/CodeInventory.js"
import { ProviderBalances } from "../providers/ProviderBalances.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { DefaultFactoriesLive, Providers } from "../providers/Providers.js"
import { SimulatorProvider } from "../providers/Simulator.js"
import { AdminHttpLive } from "./AdminHttp.js"
import { TawsilApi } from "./Api.js"
import { AccountAuthLive, AdminAuthLive } from "./AuthLive.js"
import { ErrorMappingLive } from "./ErrorMapping.js"
import { OpsHttpLive } from "./OpsHttp.js"
import { OrdersHttpLive } from "./OrdersHttp.js"
import { withRequestId } from "./RequestId.js"

/** Configured providers and the adapters of every kind this build knows. Needs a SqlClient. */
export const ProvidersLive = Providers.Default.pipe(
  Layer.provideMerge(DefaultFactoriesLive),
  Layer.provideMerge(SimulatorProvider.Default),
  Layer.provideMerge(ProviderConfigs.Default),
  Layer.provide(NodeHttpClient.layer)
)

/** The domain services behind the API; they need only a SqlClient (and take a DispatchHandoff when given). */
export const ServicesLive = Layer.mergeAll(
  Orders.Default,
  Accounts.Default,
  Packages.Default,
  OrderRepo.Default,
  CodeInventory.Default,
  ProviderBalances.Default,
  OperatorActions.Default,
  Ledger.Default,
  Dashboard.Default
).pipe(Layer.provideMerge(ProvidersLive))

/** The services with this process's engine behind them. Needs a SqlClient and a DispatchConfig. */
export const ServicesWithEngineLive = ServicesLive.pipe(
  Layer.provideMerge(EngineLive),
  Layer.provideMerge(ProviderConfigs.Default)
)

/** Every handler of the contract, with authentication. Needs the services and an AdminToken. */
export const ApiLive = HttpApiBuilder.api(TawsilApi).pipe(
  Layer.provide([OrdersHttpLive, AdminHttpLive, OpsHttpLive]),
  Layer.provide([AccountAuthLive, AdminAuthLive])
)

/** The HTTP server: request ids, the API, error mapping, `/docs`, `/openapi.json`, `/dashboard`. Needs an HttpServer. */
export const HttpLive = HttpApiBuilder.serve(withRequestId).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(DashboardPageLive),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(ErrorMappingLive),
  Layer.provide(ApiLive)
)
