import { Layer, type Redacted } from "effect"
import { AdminToken } from "../http/AdminToken.js"
import { AccountAuthLive, AdminAuthLive } from "../http/AuthLive.js"
import { HttpLive } from "../http/Server.js"

/**
 * The authentication Tawsil's groups declare (`AccountAuth` on `orders`, `AdminAuth` on `admin`), for a host that
 * mounts them in its own HttpApi: reseller API keys are looked up in Tawsil's `Accounts`, and `adminToken` opens
 * the admin group (and is refused on reseller routes). Needs `Accounts`, which the Tawsil layer gives.
 */
export const authLayer = (adminToken: Redacted.Redacted<string>) =>
  Layer.mergeAll(AccountAuthLive, AdminAuthLive).pipe(Layer.provide(AdminToken.layer(adminToken)))

/**
 * Tawsil's whole HTTP API as the standalone service serves it (`TawsilApi`, its error mapping, `/docs`,
 * `/openapi.json`), on an `HttpServer` of the host's choosing: for a host without an HttpApi of its own, or one
 * giving Tawsil its own port. Needs the HttpServer and the Tawsil layer's services.
 */
export const httpLayer = (adminToken: Redacted.Redacted<string>) =>
  HttpLive.pipe(Layer.provide(AdminToken.layer(adminToken)))
