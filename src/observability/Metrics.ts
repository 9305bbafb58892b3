import { Effect, Metric } from "effect"

/**
 * Every metric Tawsil exports on `/metrics`. Effect's metric registry (`Metric.MetricRegistry`, a reference whose
 * default is one map for the whole process) is global to the process; counters and histograms are updated where
 * things happen, gauges are set from the database and the engine at scrape time (`ScrapeGauges`).
 */

type Labels = ReadonlyArray<readonly [string, string]>

/**
 * A metric per label set, made once and kept. `Metric.withAttributes` wraps the metric in a new transform and
 * merges the attributes into the context on every update (a new context, then a series key built from the
 * merged attributes when the wrapper is new): on the per-call paths that doubled bench:dispatch's create → place
 * latency. A metric whose own attributes already carry its labels keeps its series key cached.
 */
const labelled = <M extends Metric.Metric<number, unknown>>(
  make: (attributes: Metric.Metric.AttributeSet) => M
) => {
  const made = new Map<string, M>()
  return (labels: Labels): M => {
    const id = labels.map(([name, value]) => `${name}=${value}`).join("\u0000")
    const known = made.get(id)
    if (known !== undefined) return known
    const metric = make(Object.fromEntries(labels))
    made.set(id, metric)
    return metric
  }
}

export const ordersCreated = labelled((attributes) =>
  Metric.counter("tawsil_orders_created_total", {
    description:
      "Order creation requests by outcome: created, replayed, or the refusal (insufficient_balance, …)",
    incremental: true,
    attributes
  })
)

export const ordersFinished = labelled((attributes) =>
  Metric.counter("tawsil_orders_finished_total", {
    description: "Orders the engine took to a final dispatch outcome: approved, rejected or manual",
    incremental: true,
    attributes
  })
)

export const dispatchOutcomes = labelled((attributes) =>
  Metric.counter("tawsil_dispatch_outcomes_total", {
    description:
      "Provider sends and checks by provider, call and outcome (the answer's tag, the error tag, or interrupted)",
    incremental: true,
    attributes
  })
)

const providerCallBoundaries = Metric.boundariesFromIterable([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
])

export const providerCallDuration = labelled((attributes) =>
  Metric.histogram("tawsil_provider_call_duration_seconds", {
    description:
      "Provider call latency by provider and call (place, check, balance, catalogue), rate-limit waits included",
    boundaries: providerCallBoundaries,
    attributes
  })
)

export const pollLateness = Metric.histogram("tawsil_poll_lateness_seconds", {
  description: "How late a status check started after it was due",
  boundaries: Metric.boundariesFromIterable([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
})

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

// this process's memory, under the names Prometheus's Node.js clients use
export const residentMemory = Metric.gauge("process_resident_memory_bytes", {
  description: "Resident memory of this process"
})

export const heapUsed = Metric.gauge("nodejs_heap_size_used_bytes", {
  description: "V8 heap in use"
})

export const heapTotal = Metric.gauge("nodejs_heap_size_total_bytes", {
  description: "V8 heap reserved"
})

export const externalMemory = Metric.gauge("nodejs_external_memory_bytes", {
  description: "Memory of C++ objects bound to JavaScript ones (buffers)"
})

/** `InsufficientBalance` → `insufficient_balance`: error tags as label values. */
export const snakeCase = (tag: string) =>
  tag
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase()

export const countOrderCreated = (outcome: string) => Metric.update(ordersCreated([["outcome", outcome]]), 1)

export const countOrderFinished = (outcome: string) =>
  Metric.update(ordersFinished([["outcome", outcome]]), 1)

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
  (outcome) => Metric.update(ordersCreated([["outcome", outcome]]), 0),
  { discard: true }
).pipe(
  Effect.andThen(
    Effect.forEach(
      ["approved", "rejected", "manual"],
      (outcome) => Metric.update(ordersFinished([["outcome", outcome]]), 0),
      { discard: true }
    )
  )
)
