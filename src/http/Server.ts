import { Layer } from "effect"
import { HttpMiddleware, HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiSwagger } from "effect/http-api"
import { NodeHttpClient } from "@effect/platform-node"
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
export const ProvidersLive = Providers.layer.pipe(
  Layer.provideMerge(DefaultFactoriesLive),
  Layer.provideMerge(SimulatorProvider.layer),
  Layer.provideMerge(ProviderConfigs.layer),
  Layer.provide(NodeHttpClient.layerNodeHttp)
)

/** The domain services behind the API; they need only a SqlClient (and take a DispatchHandoff when given). */
export const ServicesLive = Layer.mergeAll(
  Orders.layer,
  Accounts.layer,
  Packages.layer,
  OrderRepo.layer,
  CodeInventory.layer,
  ProviderBalances.layer,
  OperatorActions.layer,
  Ledger.layer,
  Dashboard.layer
).pipe(Layer.provideMerge(ProvidersLive))

/** The services with this process's engine behind them. Needs a SqlClient and a DispatchConfig. */
export const ServicesWithEngineLive = ServicesLive.pipe(
  Layer.provideMerge(EngineLive),
  Layer.provideMerge(ProviderConfigs.layer)
)

/**
 * Every handler of the contract with authentication and error mapping, `/openapi.json` and `/docs`, on the
 * HttpRouter. Needs the services and an AdminToken.
 */
export const ApiLive = Layer.mergeAll(
  HttpApiBuilder.layer(TawsilApi, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide([OrdersHttpLive, AdminHttpLive, OpsHttpLive]),
    Layer.provide([AccountAuthLive, AdminAuthLive, ErrorMappingLive])
  ),
  HttpApiSwagger.layer(TawsilApi, { path: "/docs" })
)

/** Server spans keep their Effect 3 names, "http.server GET" (Effect 4 names them by the bare method). */
const spanNames = Layer.succeed(
  HttpMiddleware.SpanNameGenerator,
  (request) => `http.server ${request.method}`
)

/**
 * The HTTP server: request ids, the API, error mapping, `/docs`, `/openapi.json`, `/dashboard`. Needs an
 * HttpServer (with the platform services `NodeHttpServer.layer`/`layerTest` give).
 */
export const HttpLive = HttpRouter.serve(Layer.mergeAll(ApiLive, DashboardPageLive), {
  // the Effect 3 server logged neither requests nor its listening address
  disableLogger: true,
  disableListenLog: true,
  middleware: withRequestId
}).pipe(Layer.provide(spanNames))
