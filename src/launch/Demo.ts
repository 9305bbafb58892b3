import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { readSecret, writeSecret } from "../db/SecretFile.js"
import { CreateAccountRequest, CreditRequest } from "../orders/Account.js"
import { Accounts } from "../orders/Accounts.js"
import { PutPackageRequest } from "../orders/Package.js"
import { Packages } from "../orders/Packages.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { TawsilConfig } from "../TawsilConfig.js"
import { TawsilTables } from "../db/Tables.js"

export interface DemoData {
  /** None when the data directory holding it is not this one (e.g. a shared external database). */
  readonly apiKey: Option.Option<string>
  readonly packageId: string
}

export const demoPackageId = "demo-pubg-325"

/** The demo reseller's key, kept like the admin token (mode 0600 in the data directory), never in a table. */
export const demoKeyFile = (dataDir: string) => join(dataDir, "demo-key")

const readKey = (dataDir: string) => Option.fromNullishOr(readSecret(demoKeyFile(dataDir))[0])

const keepKey = (dataDir: string, apiKey: string) => writeSecret(demoKeyFile(dataDir), [apiKey])

/**
 * Seeds a fresh database once with a funded demo reseller and a package served by the simulator provider (which
 * answers in ~4 s, like the provider the old system waited on). The `settings` row only marks the seeding; the key
 * is kept in a file so every start can print it. A row from before (holding the key) is moved to the file.
 */
export const seedDemo = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = yield* TawsilTables
  const { dataDir } = yield* TawsilConfig
  const existing = yield* sql<{ value: { apiKey?: string; packageId: string } }>`
    select value from ${t.settings} where key = 'demo'`
  const seeded = existing[0]?.value
  if (seeded !== undefined) {
    if (seeded.apiKey !== undefined) {
      if (!existsSync(demoKeyFile(dataDir))) keepKey(dataDir, seeded.apiKey)
      yield* sql`update ${t.settings} set value = value - 'apiKey', updated_at = now() where key = 'demo'`
      yield* Effect.logInfo("demo key moved out of the settings table").pipe(
        Effect.annotateLogs({ module: "Demo", file: demoKeyFile(dataDir) })
      )
    }
    return { apiKey: readKey(dataDir), packageId: seeded.packageId } satisfies DemoData
  }
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
  keepKey(dataDir, created.apiKey)
  yield* sql`insert into ${t.settings} (key, value) values ('demo', ${JSON.stringify({ packageId: demoPackageId })}::jsonb)`
  yield* Effect.logInfo("demo data created").pipe(
    Effect.annotateLogs({ module: "Demo", accountId: created.account.id })
  )
  return { apiKey: Option.some(created.apiKey), packageId: demoPackageId } satisfies DemoData
}).pipe(Effect.orDie, Effect.map(Option.some))
