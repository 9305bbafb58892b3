import { Context, Effect, Layer, Metric, Option } from "effect"
import { SqlClient } from "effect/sql"
import { Dispatcher } from "../dispatch/Dispatcher.js"
import { DispatchState } from "../orders/Order.js"
import { CodeInventory } from "../admin/CodeInventory.js"
import {
  codesAvailable,
  codesLowStock,
  externalMemory,
  heapTotal,
  heapUsed,
  orderFibersInFlight,
  residentMemory,
  outboxDepth,
  outboxOldestAge,
  registerKnownSeries
} from "../observability/Metrics.js"
import { TawsilTables } from "../db/Tables.js"

interface OutboxRow {
  readonly state: string
  readonly count: number
  readonly oldest_seconds: number
}

/**
 * The gauges read at scrape time: outbox depth by dispatch state and the age of its oldest row (the whole
 * cluster's, from SQL), PIN codes left per group, this process's order fibers (when it runs an engine) and its
 * memory (resident, V8 heap used and reserved, external).
 * A failed read is logged and leaves the gauges at their last values: `/metrics` still answers.
 */
export class ScrapeGauges extends Context.Service<ScrapeGauges>()("tawsil/observability/ScrapeGauges", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const codes = yield* CodeInventory
    const dispatcher = yield* Effect.serviceOption(Dispatcher)
    yield* registerKnownSeries

    const outbox = Effect.gen(function* () {
      const rows = yield* sql<OutboxRow>`
        select o.dispatch_state as state, count(*)::int as count,
               extract(epoch from now() - min(b.created_at))::float8 as oldest_seconds
        from ${t.outbox} b join ${t.orders} o on o.id = b.order_id
        group by o.dispatch_state`
      const counts = new Map(rows.map((row) => [row.state, row.count]))
      yield* Effect.forEach(
        new Set([...DispatchState.literals, ...counts.keys()]),
        (state) => Metric.update(Metric.withAttributes(outboxDepth, { state }), counts.get(state) ?? 0),
        { discard: true }
      )
      yield* Metric.update(outboxOldestAge, Math.max(0, ...rows.map((row) => row.oldest_seconds)))
    })

    const stock = Effect.flatMap(codes.stock, (groups) =>
      Effect.forEach(
        groups,
        (group) =>
          Effect.andThen(
            Metric.update(Metric.withAttributes(codesAvailable, { group: group.groupId }), group.available),
            Metric.update(
              Metric.withAttributes(codesLowStock, { group: group.groupId }),
              group.lowStock ? 1 : 0
            )
          ),
        { discard: true }
      )
    )

    const fibers = Option.match(dispatcher, {
      onNone: () => Effect.void,
      onSome: (engine) => Effect.flatMap(engine.inFlight, (n) => Metric.update(orderFibersInFlight, n))
    })

    const memory = Effect.flatMap(
      Effect.sync(() => process.memoryUsage()),
      (usage) =>
        Effect.all(
          [
            Metric.update(residentMemory, usage.rss),
            Metric.update(heapUsed, usage.heapUsed),
            Metric.update(heapTotal, usage.heapTotal),
            Metric.update(externalMemory, usage.external)
          ],
          { discard: true }
        )
    )

    const refresh = Effect.all([outbox, stock], { concurrency: 2, discard: true }).pipe(
      Effect.timeout("5 seconds"),
      Effect.catchCause((cause) =>
        Effect.logWarning("metrics: could not read the database gauges", cause).pipe(
          Effect.annotateLogs({ module: "Metrics" })
        )
      ),
      Effect.andThen(fibers),
      Effect.andThen(memory),
      Effect.withSpan("ScrapeGauges.refresh")
    )

    return { refresh } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make).pipe(Layer.provide(CodeInventory.layer))
}
