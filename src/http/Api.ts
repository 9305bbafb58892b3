import { HttpApi, OpenApi } from "effect/http-api"
import { AdminApi } from "./AdminApi.js"
import { ApiErrors } from "./ApiErrors.js"
import { OpsApi } from "./OpsApi.js"
import { OrdersApi } from "./OrdersApi.js"

export { AdminApi, OpsApi, OrdersApi }

/** The one HTTP contract: the server, the OpenAPI document and the typed client all derive from it. */
export class TawsilApi extends HttpApi.make("tawsil")
  .add(OrdersApi, AdminApi, OpsApi)
  .middleware(ApiErrors)
  .annotate(OpenApi.Title, "Tawsil")
  .annotate(
    OpenApi.Description,
    "Order dispatch for digital goods: accept in milliseconds, settle by polling."
  ) {}
