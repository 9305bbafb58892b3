import { Effect, Layer, type Redacted } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import {
  adminHandlers,
  authLayer,
  ErrorMappingLive,
  MetricsEndpoint,
  opsHandlers,
  ordersHandlers
} from "tawsil"
import { HostApi } from "./HostApi.js"
import { Shop, ShopTablesLive } from "./Shop.js"

const ShopHttpLive = HttpApiBuilder.group(HostApi, "shop", (handlers) =>
  Effect.map(Shop, (shop) => handlers.handle("buy", ({ payload }) => shop.buy(payload)))
)

/** Tawsil's own handlers for its `orders` group, served as part of the host's API. */
const OrdersHttpLive = HttpApiBuilder.group(HostApi, "orders", ordersHandlers)

/** Tawsil's operator routes (accounts, packages, providers of any registered kind…), behind its admin token. */
const AdminHttpLive = HttpApiBuilder.group(HostApi, "admin", adminHandlers)

/** Tawsil's health, readiness and Prometheus metrics, on the host's port. */
const OpsHttpLive = HttpApiBuilder.group(HostApi, "ops", opsHandlers).pipe(
  Layer.provide(MetricsEndpoint.layer)
)

/**
 * The host's HTTP server: `POST /shop/buy`, Tawsil's `/v1/orders…`, `/v1/admin/…` (opened by `tawsilAdminToken`)
 * and its `/healthz`, `/readyz`, `/metrics`. Needs an `HttpServer`, a `SqlClient`, the `ShopConfig`, and Tawsil's
 * services (`layer(…)` from "tawsil", or `TawsilTest.layerWithSql()` in a test).
 */
export const HostServiceLive = (tawsilAdminToken: Redacted.Redacted<string>) =>
  HttpRouter.serve(
    HttpApiBuilder.layer(HostApi).pipe(
      Layer.provide([ShopHttpLive, OrdersHttpLive, AdminHttpLive, OpsHttpLive]),
      // Tawsil's authentication, and its answers to bad requests on every route (needs the router `serve` gives)
      Layer.provide([authLayer(tawsilAdminToken), ErrorMappingLive])
    ),
    // Effect 4's `serve` logs every request and the listening address by default; the Effect 3 server did neither
    { disableLogger: true, disableListenLog: true }
  ).pipe(Layer.provide(Shop.layer), Layer.provide(ShopTablesLive))
