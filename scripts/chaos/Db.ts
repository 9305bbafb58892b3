import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"

export interface OrderRow {
  readonly id: string
  readonly reference: string
  readonly dispatch_state: string
  readonly owner_node: string | null
}

export const terminal = (state: string) => state === "done" || state === "failed"

/** The chaos driver's own view of a scenario's database (read only). */
export const connect = (url: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      PgClient.layer({ url: Redacted.make(url), maxConnections: 2, applicationName: "chaos" })
    )
    const sql = Context.get(context, SqlClient.SqlClient)
    const orders = sql<OrderRow>`
      select o.id, o.reference, o.dispatch_state, b.owner_node
      from tawsil.orders o left join tawsil.outbox b on b.order_id = o.id`
    /** The engine's node id of a process: `<host>-<pid>-<random>`. */
    const nodeIdOf = (pid: number) =>
      sql<{ id: string }>`select id from tawsil.nodes where id like ${`%-${pid}-%`}`.pipe(
        Effect.map((rows) => rows[0]?.id),
        Effect.orDie
      )
    return { orders, nodeIdOf } as const
  })

export type Db = Effect.Success<ReturnType<typeof connect>>

export const countStates = (rows: ReadonlyArray<OrderRow>) => {
  const counts: Record<string, number> = {}
  for (const row of rows) counts[row.dispatch_state] = (counts[row.dispatch_state] ?? 0) + 1
  return Object.entries(counts)
    .map(([state, n]) => `${state} ${n}`)
    .join(", ")
}

/** Polls until every order is terminal (or `maxMs`); returns the time the last one was seen terminal. */
export const waitTerminal = (db: Db, maxMs: number) =>
  Effect.gen(function* () {
    const started = Date.now()
    while (Date.now() - started < maxMs) {
      const rows = yield* db.orders.pipe(Effect.orElseSucceed((): ReadonlyArray<OrderRow> => []))
      if (rows.length > 0 && rows.every((r) => terminal(r.dispatch_state))) return Date.now()
      yield* Effect.sleep("250 millis")
    }
    return undefined
  })
