import { Effect, Metric, MetricBoundaries, MetricKey, type MetricKeyType, MetricLabel } from "effect"

/**
 * Every metric Tawsil exports on `/metrics`. Effect's metric registry is global to the process; counters and
 * histograms are updated where things happen, gauges are set from the database and the engine at scrape time
 * (`ScrapeGauges`).
 */

/**
 * A metric per label set, made once and kept. `Metric.tagged` builds a new registry key on every update (a union of
 * label arrays, then a hashed lookup): on the per-call paths that doubled bench:dispatch's create → place latency.
 * A metric whose key already carries its labels updates through one cached hook.
 */
const labelled = <
  Type extends MetricKeyType.MetricKeyType.Counter<number> | MetricKeyType.MetricKeyType.Histogram
>(
  key: MetricKey.MetricKey<Type>
) => {
  const made = new Map<string, ReturnType<typeof Metric.fromMetricKey<Type>>>()
  return (labels: ReadonlyArray<readonly [string, string]>) => {
    const id = labels.map(([name, value]) => `${name}=${value}`).join("\u0000")
    const known = made.get(id)
    if (known !== undefined) return known
    const metric = Metric.fromMetricKey(
      MetricKey.taggedWithLabels(
        key,
        labels.map(([name, value]) => MetricLabel.make(name, value))
      )
    )
    made.set(id, metric)
    return metric
  }
}

export const ordersCreated = labelled(
  MetricKey.counter("tawsil_orders_created_total", {
    description:
      "Order creation requests by outcome: created, replayed, or the refusal (insufficient_balance, …)",
    incremental: true
  })
)

export const ordersFinished = labelled(
  MetricKey.counter("tawsil_orders_finished_total", {
    description: "Orders the engine took to a final dispatch outcome: approved, rejected or manual",
    incremental: true
  })
)

export const dispatchOutcomes = labelled(
  MetricKey.counter("tawsil_dispatch_outcomes_total", {
    description:
      "Provider sends and checks by provider, call and outcome (the answer's tag, the error tag, or interrupted)",
    incremental: true
  })
)

export const providerCallDuration = labelled(
  MetricKey.histogram(
    "tawsil_provider_call_duration_seconds",
    MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
    "Provider call latency by provider and call (place, check, balance, catalogue), rate-limit waits included"
  )
)

export const pollLateness = Metric.histogram(
  "tawsil_poll_lateness_seconds",
  MetricBoundaries.fromIterable([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
  "How late a status check started after it was due"
)

export const orderFibersInFlight = Metric.gauge("tawsil_order_fibers_in_flight", {
  description: "Order fibers running in this process"
})

export const outboxDepth = Metric.gauge("tawsil_outbox_depth", {
  description: "Unfinished orders in the outbox (all nodes), by dispatch state"
})

export const outboxOldestAge = Metric.gauge("tawsil_outbox_oldest_age_seconds", {
  description: "Age of the oldest unfinished order in the outbox (0 when empty)"
})

export const codesAvailable = Metric.gauge("tawsil_codes_available", {
  description: "PIN codes left in each code group"
})

export const codesLowStock = Metric.gauge("tawsil_codes_low_stock", {
  description: "1 when a code group is at or below its low-stock threshold"
})

/** `InsufficientBalance` → `insufficient_balance`: error tags as label values. */
export const snakeCase = (tag: string) =>
  tag
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase()

export const countOrderCreated = (outcome: string) => Metric.increment(ordersCreated([["outcome", outcome]]))

export const countOrderFinished = (outcome: string) =>
  Metric.increment(ordersFinished([["outcome", outcome]]))

/** The outcomes intake can answer with, shown at 0 before the first order so rates start from the first one. */
const createdOutcomes = [
  "created",
  "replayed",
  "insufficient_balance",
  "package_not_found",
  "package_unavailable",
  "currency_mismatch",
  "idempotency_key_reused"
]

export const registerKnownSeries = Effect.forEach(
  createdOutcomes,
  (outcome) => Metric.incrementBy(ordersCreated([["outcome", outcome]]), 0),
  { discard: true }
).pipe(
  Effect.zipRight(
    Effect.forEach(
      ["approved", "rejected", "manual"],
      (outcome) => Metric.incrementBy(ordersFinished([["outcome", outcome]]), 0),
      { discard: true }
    )
  )
)
