import { Effect, Layer, type Redacted } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { authLayer, MetricsEndpoint, opsHandlers, ordersHandlers } from "tawsil"
import { HostApi } from "./HostApi.js"
import { Shop, ShopTablesLive } from "./Shop.js"

const ShopHttpLive = HttpApiBuilder.group(HostApi, "shop", (handlers) =>
  Effect.map(Shop, (shop) => handlers.handle("buy", ({ payload }) => shop.buy(payload)))
)

/** Tawsil's own handlers for its `orders` group, served as part of the host's API. */
const OrdersHttpLive = HttpApiBuilder.group(HostApi, "orders", ordersHandlers)

/** Tawsil's health, readiness and Prometheus metrics, on the host's port. */
const OpsHttpLive = HttpApiBuilder.group(HostApi, "ops", opsHandlers).pipe(
  Layer.provide(MetricsEndpoint.layer)
)

/**
 * The host's HTTP server: `POST /shop/buy`, Tawsil's `/v1/orders…` and its `/healthz`, `/readyz`, `/metrics`. Needs an `HttpServer`, a `SqlClient`, the
 * `ShopConfig`, and Tawsil's services (`TawsilLive` from "tawsil", or `TawsilTest.layerWithSql()` in a test).
 */
export const HostServiceLive = (tawsilAdminToken: Redacted.Redacted<string>) =>
  // Effect 4's `serve` logs every request and the listening address by default; the Effect 3 server did neither
  HttpRouter.serve(HttpApiBuilder.layer(HostApi), { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provide([ShopHttpLive, OrdersHttpLive, OpsHttpLive]),
    Layer.provide(authLayer(tawsilAdminToken)),
    Layer.provide(Shop.layer),
    Layer.provide(ShopTablesLive)
  )
