import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { CreateAccountRequest, CreditRequest } from "./orders/Account.js"
import { Accounts } from "./orders/Accounts.js"
import { PutPackageRequest } from "./orders/Package.js"
import { Packages } from "./orders/Packages.js"
import { ProviderConfigs } from "./providers/ProviderConfigs.js"

export interface DemoData {
  readonly apiKey: string
  readonly packageId: string
}

export const demoPackageId = "demo-pubg-325"

/**
 * Seeds a fresh database once with a funded demo reseller and a package served by the simulator provider (which
 * answers in ~4 s, like the provider the old system waited on). The demo key is kept so every start can print it.
 */
export const seedDemo = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const existing = yield* sql<{ value: DemoData }>`select value from settings where key = 'demo'`
  if (existing[0] !== undefined) return existing[0].value
  yield* (yield* ProviderConfigs).put("sim", {
    kind: "simulator",
    name: "Demo simulator",
    enabled: true,
    options: { sendLatencyMs: 4000, checksBeforeFinal: 0, outcome: "success" }
  })
  yield* (yield* Packages).put(
    demoPackageId,
    new PutPackageRequest({
      name: "PUBG Mobile 325 UC",
      price: "35.00",
      currency: "USD",
      enabled: true,
      route: { mode: "auto", primary: "sim" },
      mappings: { sim: { sku: "pubg-325" } }
    })
  )
  const accounts = yield* Accounts
  const created = yield* accounts.create(
    new CreateAccountRequest({ name: "Demo Reseller", currency: "USD", overdraftLimit: "0.00" })
  )
  yield* accounts.credit(created.account.id, new CreditRequest({ amount: "1000.00", note: "demo funds" }))
  const demo: DemoData = { apiKey: created.apiKey, packageId: demoPackageId }
  yield* sql`insert into settings (key, value) values ('demo', ${JSON.stringify(demo)}::jsonb)`
  yield* Effect.logInfo("demo data created").pipe(
    Effect.annotateLogs({ module: "Demo", accountId: created.account.id })
  )
  return demo
}).pipe(Effect.orDie, Effect.map(Option.some))
