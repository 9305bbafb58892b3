import { Layer } from "effect"
import { HttpMiddleware, HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiSwagger } from "effect/http-api"
import { DashboardPageLive } from "../dashboard/DashboardPage.js"
import { AdminHttpLive } from "./AdminHttp.js"
import { TawsilApi } from "./Api.js"
import { AccountAuthLive, AdminAuthLive } from "./AuthLive.js"
import { ClientApiLive } from "./client/ClientApi.js"
import { ErrorMappingLive } from "./ErrorMapping.js"
import { OpsHttpLive } from "./OpsHttp.js"
import { OrdersHttpLive } from "./OrdersHttp.js"
import { withRequestId } from "./RequestId.js"

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
 * The HTTP server: request ids, the API, error mapping, `/docs`, `/openapi.json`, `/dashboard`, the
 * Barakat-compatible client API (`/client/api/*`). Needs an HttpServer (with the platform services
 * `NodeHttpServer.layer`/`layerTest` give).
 */
export const HttpLive = HttpRouter.serve(Layer.mergeAll(ApiLive, DashboardPageLive, ClientApiLive), {
  // the Effect 3 server logged neither requests nor its listening address
  disableLogger: true,
  disableListenLog: true,
  middleware: withRequestId
}).pipe(Layer.provide(spanNames))
