import type { SqlClient, Statement } from "effect/sql"
import { Effect } from "effect"
import { makeBatcher } from "../../db/Batcher.js"
import { businessTime } from "../BusinessTime.js"
import { type Lease, LeaseLost } from "../Lease.js"
import type { LogEntry } from "../LogEntry.js"
import { type OrderRow, toOrder } from "../OrderRow.js"
import { logged, settleStatement } from "./Settlement.js"
import { type Column, idColumn, logColumns, valuesOf } from "./WriteValues.js"
import type { Tables } from "../../db/Tables.js"

/** One fenced write of one order: its lease, the dispatch-log row it records (if any), and its own values. */
export interface FencedWrite {
  readonly lease: Lease
  readonly log?: LogEntry | undefined
}

const leaseColumns: ReadonlyArray<Column<FencedWrite>> = [
  idColumn<FencedWrite>((w) => w.lease.orderId),
  { name: "node", type: "text", value: (w) => w.lease.nodeId },
  { name: "fence", type: "bigint", value: (w) => w.lease.fence },
  ...logColumns<FencedWrite>((w) => w.log)
]

/** Whether a write announces the orders it changes (`Settlement.ts`, `orderChangesChannel`): settling writes do. */
export interface FencedWriteOptions {
  readonly announce?: boolean | undefined
}

/**
 * One engine write of one order, one statement: `v` holds the lease, the log columns and the write's own `columns`;
 * `set` (which may read `v.<column>` and hold its own parameters), its dispatch-log row, then `consequences` (CTEs
 * over `updated`). Answers the order as written; a lease that no longer matches, or an order no longer pending:
 * LeaseLost.
 */
export const fencedWriteOf =
  <W extends FencedWrite>(
    sql: SqlClient.SqlClient,
    t: Tables,
    step: string,
    columns: ReadonlyArray<Column<W>>,
    options: FencedWriteOptions = {}
  ) =>
  (write: W, set: Statement.Fragment, consequences: ReadonlyArray<Statement.Fragment> = []) =>
    settleStatement<OrderRow>(sql, t, {
      values: valuesOf(sql, [...leaseColumns, ...columns], [write]),
      set,
      fenced: true,
      consequences: [...consequences, logged(sql, t, "engine")],
      select: sql`*`,
      announce: options.announce
    }).pipe(
      Effect.orDie,
      Effect.flatMap((rows) =>
        rows.length === 1
          ? Effect.succeed(toOrder(rows[0]!))
          : Effect.fail(new LeaseLost({ orderId: write.lease.orderId, step }))
      )
    )

/** `fencedWriteOf` with the lease and log columns only. */
export const fencedWrite =
  (sql: SqlClient.SqlClient, t: Tables, step: string, options: FencedWriteOptions = {}) =>
  (
    lease: Lease,
    log: LogEntry | undefined,
    set: Statement.Fragment,
    consequences: ReadonlyArray<Statement.Fragment> = []
  ) =>
    fencedWriteOf<FencedWrite>(sql, t, step, [], options)({ lease, log }, set, consequences)

/**
 * The engine's hottest writes, made for many orders by one statement: `v` holds one row per write (lease, log
 * columns and the write's own `columns`); `set` may read `v.<column>` and `at`, the batch's one Clock time
 * (`BusinessTime.ts`). A write whose lease no longer matches its outbox row, or whose order is no longer pending, is
 * not in `updated` and fails with `LeaseLost`.
 *
 * Several writes are planned at each call (`unprepared`) for the real number of rows and the tables' current size:
 * a plan cached for `unnest` (10 rows assumed) while `orders` was small (a young database) keeps scanning the
 * whole table for every batch until the next ANALYZE (measured at peak, one run: Postgres CPU 1.1 → 0.49 ms per
 * order, creates 424/s → 1,094/s).
 */
export const makeFencedBatch = <W extends FencedWrite>(
  sql: SqlClient.SqlClient,
  t: Tables,
  step: string,
  columns: ReadonlyArray<Column<W>>,
  set: (at: Statement.Fragment) => Statement.Fragment,
  consequences: ReadonlyArray<Statement.Fragment>,
  options: FencedWriteOptions = {}
) => {
  const all: ReadonlyArray<Column<W>> = [...leaseColumns, ...columns]
  const run = (writes: ReadonlyArray<W>) =>
    Effect.flatMap(businessTime(sql), (at) => {
      const statement = settleStatement<{ id: string }>(sql, t, {
        values: valuesOf(sql, all, writes),
        set: set(at),
        fenced: true,
        consequences: [logged(sql, t, "engine"), ...consequences],
        select: sql`id`,
        announce: options.announce
      })
      return (writes.length === 1 ? statement : statement.unprepared).pipe(
        Effect.map((found) => {
          const done = new Set(found.map((row) => row.id))
          return writes.map((w) => done.has(w.lease.orderId))
        }),
        Effect.orDie
      )
    })
  return makeBatcher({ run, maxBatch: 500, concurrency: 2 }).pipe(
    Effect.map(
      (write) => (w: W) =>
        Effect.flatMap(write(w), (ok) =>
          ok ? Effect.void : Effect.fail(new LeaseLost({ orderId: w.lease.orderId, step }))
        )
    )
  )
}
