import { Context, Effect, Layer } from "effect"
import { SqlClient, type Statement } from "effect/sql"
import { TawsilSchema } from "./TawsilSchema.js"

/**
 * Every Tawsil table, schema-qualified (`"tawsil".orders`, or the host's `layer({ schema })`): statements name
 * their tables with these (`select * from ${t.orders}`). Built once per service, spliced into each statement as it
 * is written: no extra statement, no search_path.
 */
export interface Tables {
  readonly accounts: Statement.Fragment
  readonly api_keys: Statement.Fragment
  readonly providers: Statement.Fragment
  readonly packages: Statement.Fragment
  readonly orders: Statement.Fragment
  readonly ledger_entries: Statement.Fragment
  readonly nodes: Statement.Fragment
  readonly outbox: Statement.Fragment
  readonly dispatch_log: Statement.Fragment
  readonly settings: Statement.Fragment
  readonly code_groups: Statement.Fragment
  readonly codes: Statement.Fragment
  readonly callback_deliveries: Statement.Fragment
}

/** The tables in `schema`, quoted by `sql`'s own identifier escaping. */
export const makeTables = (sql: SqlClient.SqlClient, schema: string): Tables => {
  const inSchema = sql(schema)
  return {
    accounts: sql`${inSchema}.accounts`,
    api_keys: sql`${inSchema}.api_keys`,
    providers: sql`${inSchema}.providers`,
    packages: sql`${inSchema}.packages`,
    orders: sql`${inSchema}.orders`,
    ledger_entries: sql`${inSchema}.ledger_entries`,
    nodes: sql`${inSchema}.nodes`,
    outbox: sql`${inSchema}.outbox`,
    dispatch_log: sql`${inSchema}.dispatch_log`,
    settings: sql`${inSchema}.settings`,
    code_groups: sql`${inSchema}.code_groups`,
    codes: sql`${inSchema}.codes`,
    callback_deliveries: sql`${inSchema}.callback_deliveries`
  }
}

/** Tawsil's tables in the configured schema (`TawsilSchema`), for Tawsil's own (untransformed) `SqlClient`. */
export class TawsilTables extends Context.Service<TawsilTables, Tables>()("tawsil/db/TawsilTables") {
  static readonly layer = Layer.effect(
    TawsilTables,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return makeTables(sql, yield* TawsilSchema)
    })
  )
}
