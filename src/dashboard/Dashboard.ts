import { Context, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { DispatchState, OrderStatus } from "../orders/Order.js"
import { type OrderRow, toOrder } from "../orders/OrderRow.js"
import {
  DashboardSummary,
  OutcomeCount,
  ProviderHealth,
  RecentFailure,
  StateCount
} from "./DashboardSummary.js"
import { TawsilTables } from "../db/Tables.js"

/** Only the newest dispatch-log rows are read (a backward scan of the primary key), however large the log is. */
const logWindow = 10_000
const manualQueueSize = 50
const recentOrdersSize = 20
const recentFailuresSize = 20

interface ProviderRow {
  readonly id: string
  readonly kind: string
  readonly name: string
  readonly enabled: boolean
}

interface OutcomeRow {
  readonly provider_id: string
  readonly outcome: string
  readonly count: number
  readonly last_at: Date
}

interface FailureRow {
  readonly order_id: string
  readonly provider_id: string | null
  readonly action: string
  readonly outcome: string
  readonly response: string | null
  readonly created_at: Date
}

const isError = (outcome: string) => outcome.startsWith("Provider")

const toFailure = (row: FailureRow) =>
  new RecentFailure({
    orderId: row.order_id,
    ...(row.provider_id === null ? {} : { providerId: row.provider_id }),
    action: row.action,
    outcome: row.outcome,
    ...(row.response === null ? {} : { response: row.response }),
    createdAt: DateTime.fromDateUnsafe(row.created_at)
  })

const toHealth = (provider: ProviderRow, outcomes: ReadonlyArray<OutcomeRow>, inFlight: number) => {
  const last = outcomes.reduce<OutcomeRow | undefined>(
    (latest, row) => (latest === undefined || row.last_at > latest.last_at ? row : latest),
    undefined
  )
  return new ProviderHealth({
    ...provider,
    inFlight,
    calls: outcomes.reduce((sum, row) => sum + row.count, 0),
    errors: outcomes.reduce((sum, row) => sum + (isError(row.outcome) ? row.count : 0), 0),
    outcomes: outcomes.map((row) => new OutcomeCount({ outcome: row.outcome, count: row.count })),
    ...(last === undefined
      ? {}
      : { lastOutcome: last.outcome, lastCallAt: DateTime.fromDateUnsafe(last.last_at) })
  })
}

/** The operator dashboard's read model: counts, the manual queue, recent failures and provider health. */
export class Dashboard extends Context.Service<Dashboard>()("tawsil/dashboard/Dashboard", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const stateCounts = sql<{ dispatch_state: DispatchState; status: OrderStatus; count: number }>`
      select dispatch_state, status, count(*)::int as count from ${t.orders} group by 1, 2 order by 1, 2`

    const manualQueue = sql<OrderRow>`
      select * from ${t.orders} where dispatch_state = 'manual' order by number limit ${manualQueueSize}`

    const recentOrders = sql<OrderRow>`select * from ${t.orders} order by number desc limit ${recentOrdersSize}`

    const recentFailures = sql<FailureRow>`
      select order_id::text, provider_id, action, outcome, response, created_at
      from (select * from ${t.dispatch_log} order by id desc limit ${logWindow}) recent
      where outcome like 'Provider%' or outcome = 'Failed'
      order by id desc limit ${recentFailuresSize}`

    const providerOutcomes = sql<OutcomeRow>`
      select provider_id, outcome, count(*)::int as count, max(created_at) as last_at
      from (select * from ${t.dispatch_log} order by id desc limit ${logWindow}) recent
      where provider_id is not null and action in ('send', 'check') and created_at > now() - interval '1 hour'
      group by 1, 2 order by 1, 3 desc`

    const providers = sql<ProviderRow>`select id, kind, name, enabled from ${t.providers} order by id`

    const inFlight = sql<{ provider_id: string; count: number }>`
      select provider_id, count(*)::int as count from ${t.orders}
      where dispatch_state in ('sending', 'awaiting') and provider_id is not null group by 1`

    const summary = Effect.all(
      { stateCounts, manualQueue, recentOrders, recentFailures, providerOutcomes, providers, inFlight },
      { concurrency: 4 }
    ).pipe(
      Effect.orDie,
      Effect.flatMap((rows) =>
        Effect.map(
          DateTime.now,
          (generatedAt) =>
            new DashboardSummary({
              generatedAt,
              stateCounts: rows.stateCounts.map(
                (row) => new StateCount({ state: row.dispatch_state, status: row.status, count: row.count })
              ),
              manualQueue: rows.manualQueue.map(toOrder),
              recentFailures: rows.recentFailures.map(toFailure),
              providers: rows.providers.map((provider) =>
                toHealth(
                  provider,
                  rows.providerOutcomes.filter((row) => row.provider_id === provider.id),
                  rows.inFlight.find((row) => row.provider_id === provider.id)?.count ?? 0
                )
              ),
              recentOrders: rows.recentOrders.map(toOrder)
            })
        )
      ),
      Effect.withSpan("Dashboard.summary")
    )

    return { summary } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
