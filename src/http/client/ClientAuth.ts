import { Effect, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import { Accounts } from "../../orders/Accounts.js"
import { BarakatCode, ClientApiError } from "./BarakatAnswer.js"

const tokenRequired = new ClientApiError({ code: BarakatCode.tokenRequired, message: "Token required" })
const tokenError = new ClientApiError({ code: BarakatCode.tokenError, message: "Token error" })

/**
 * The account whose API key the request carries in Barakat's `api-token` header, looked up as the bearer key of
 * `/v1` is. The admin token is no account's key: like every unknown token, it is refused.
 */
export const makeClientAuth = Effect.gen(function* () {
  const accounts = yield* Accounts

  const accountId = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const token = (request.headers["api-token"] ?? "").trim()
    if (token === "") return yield* tokenRequired
    const found = yield* accounts.authenticate(token)
    return Option.isSome(found) ? found.value : yield* tokenError
  })

  /** The authenticated account itself (its balance and currency). */
  const account = accountId.pipe(
    Effect.flatMap(accounts.get),
    Effect.catchTag("AccountNotFound", () => Effect.fail(tokenError))
  )

  return { accountId, account } as const
})

export type ClientAuth = Effect.Success<typeof makeClientAuth>
