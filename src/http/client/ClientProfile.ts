import { Effect } from "effect"
import type { ClientAuth } from "./ClientAuth.js"

/** `GET /client/api/profile`: the account's balance, as Barakat answers it (`email` Tawsil does not keep). */
export const profile = (auth: ClientAuth) =>
  Effect.map(auth.account, (account) => ({
    balance: account.balance,
    email: null,
    name: account.name,
    currency: account.currency
  })).pipe(Effect.withSpan("ClientApi.profile"))
