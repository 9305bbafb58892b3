import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { Accounts } from "../orders/Accounts.js"
import { AdminToken } from "./AdminToken.js"
import { AccountAuth, AdminAuth, CurrentAccount } from "./Auth.js"
import { Forbidden, Unauthorized } from "./HttpErrors.js"

const missing = new Unauthorized({ message: "missing or malformed Authorization: Bearer <key> header" })
const invalid = new Unauthorized({ message: "invalid API key" })

/** The token, if the request really carried `Authorization: Bearer <token>` (the security layer does not check). */
const bearerToken = (token: Redacted.Redacted<string>) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const header = request.headers["authorization"] ?? ""
    const value = Redacted.value(token)
    return /^bearer /i.test(header) && value.trim().length > 0 ? Option.some(value) : Option.none()
  })

// a failing key lookup (database unreachable) is a defect: the error mapping answers it with a 503 or a 500
export const AccountAuthLive = Layer.effect(
  AccountAuth,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const admin = yield* AdminToken
    return AccountAuth.of({
      bearer: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          const value = yield* bearerToken(credential)
          if (Option.isNone(value)) return yield* missing
          if (admin.matches(value.value)) {
            return yield* new Forbidden({ message: "the admin token cannot be used on reseller routes" })
          }
          const account = yield* Effect.orDie(accounts.authenticate(value.value))
          if (Option.isNone(account)) return yield* invalid
          return yield* Effect.provideService(httpEffect, CurrentAccount, account.value)
        })
    })
  })
)

export const AdminAuthLive = Layer.effect(
  AdminAuth,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const admin = yield* AdminToken
    return AdminAuth.of({
      bearer: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          const value = yield* bearerToken(credential)
          if (Option.isNone(value)) return yield* missing
          if (admin.matches(value.value)) return yield* httpEffect
          const account = yield* Effect.orDie(accounts.authenticate(value.value))
          if (Option.isSome(account)) {
            return yield* new Forbidden({ message: "an account key cannot be used on admin routes" })
          }
          return yield* invalid
        })
    })
  })
)
