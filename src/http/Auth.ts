import { Context } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import type { AccountId } from "../orders/Account.js"
import { Forbidden, Unauthorized } from "./HttpErrors.js"

/** The reseller account whose API key authenticated the request. */
export class CurrentAccount extends Context.Service<CurrentAccount, AccountId>()(
  "tawsil/http/CurrentAccount"
) {}

export class AccountAuth extends HttpApiMiddleware.Service<AccountAuth, { provides: CurrentAccount }>()(
  "tawsil/http/AccountAuth",
  {
    error: [Unauthorized, Forbidden],
    security: { bearer: HttpApiSecurity.bearer }
  }
) {}

export class AdminAuth extends HttpApiMiddleware.Service<AdminAuth>()("tawsil/http/AdminAuth", {
  error: [Unauthorized, Forbidden],
  security: { bearer: HttpApiSecurity.bearer }
}) {}
