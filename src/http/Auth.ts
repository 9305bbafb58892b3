import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Schema } from "effect"
import type { AccountId } from "../orders/Account.js"
import { Forbidden, Unauthorized } from "./HttpErrors.js"

/** The reseller account whose API key authenticated the request. */
export class CurrentAccount extends Context.Tag("tawsil/http/CurrentAccount")<CurrentAccount, AccountId>() {}

export class AccountAuth extends HttpApiMiddleware.Tag<AccountAuth>()("tawsil/http/AccountAuth", {
  failure: Schema.Union(Unauthorized, Forbidden),
  provides: CurrentAccount,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("tawsil/http/AdminAuth", {
  failure: Schema.Union(Unauthorized, Forbidden),
  security: { bearer: HttpApiSecurity.bearer }
}) {}
