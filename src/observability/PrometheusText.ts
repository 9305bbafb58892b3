import type { Metric } from "effect"

/** The media type of the Prometheus text exposition format this module writes. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

type Label = readonly [string, string]
type Sample = readonly [series: string, value: string]
type Type = "counter" | "gauge" | "histogram" | "summary"

interface Family {
  readonly name: string
  readonly type: Type
  readonly help: string | undefined
  /** one entry per label set: its sort key and its samples, in exposition order */
  readonly groups: Array<{ readonly key: string; readonly samples: ReadonlyArray<Sample> }>
}

const sanitize = (name: string, allowed: RegExp) => {
  const clean = name.replace(allowed, "_")
  return /^[0-9]/.test(clean) ? `_${clean}` : clean
}
const metricName = (name: string) => sanitize(name, /[^a-zA-Z0-9_:]/g)
const labelName = (name: string) => sanitize(name, /[^a-zA-Z0-9_]/g)
const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

/** A sample value in Go's float syntax, with `+Inf` / `-Inf` / `NaN` spelled as Prometheus expects. */
export const formatValue = (value: number | bigint): string => {
  if (typeof value === "bigint") return value.toString()
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

const series = (name: string, labels: ReadonlyArray<Label>) =>
  labels.length === 0
    ? name
    : `${name}{${labels.map(([k, v]) => `${labelName(k)}="${escapeLabel(v)}"`).join(",")}}`

/** A counter Effect may decrement (one not made `incremental`) is a gauge to Prometheus. */
const typeOf = (snapshot: Metric.Metric.Snapshot): Type => {
  switch (snapshot.type) {
    case "Counter":
      return snapshot.state.incremental ? "counter" : "gauge"
    case "Frequency":
      return "counter"
    case "Gauge":
      return "gauge"
    case "Histogram":
      return "histogram"
    case "Summary":
      return "summary"
  }
}

/** The samples of one metric series (one label set), in the order the exposition format documents them. */
const samplesOf = (
  name: string,
  labels: ReadonlyArray<Label>,
  snapshot: Metric.Metric.Snapshot
): ReadonlyArray<Sample> => {
  switch (snapshot.type) {
    case "Counter":
      return [[series(name, labels), formatValue(snapshot.state.count)]]
    case "Gauge":
      return [[series(name, labels), formatValue(snapshot.state.value)]]
    case "Histogram": {
      const { state } = snapshot
      // Effect's buckets are cumulative and end with +Inf (Metric.boundariesFromIterable appends it)
      const buckets = state.buckets.some(([le]) => le === Number.POSITIVE_INFINITY)
        ? state.buckets
        : [...state.buckets, [Number.POSITIVE_INFINITY, state.count] as const]
      return [
        ...buckets.map(([le, count]): Sample => [
          series(`${name}_bucket`, [...labels, ["le", formatValue(le)]]),
          formatValue(count)
        ]),
        ...totals(name, labels, state)
      ]
    }
    case "Summary": {
      const { state } = snapshot
      return [
        ...state.quantiles.map(([q, value]): Sample => [
          series(name, [...labels, ["quantile", formatValue(q)]]),
          formatValue(value ?? Number.NaN)
        ]),
        ...totals(name, labels, state)
      ]
    }
    case "Frequency":
      return [...snapshot.state.occurrences].map(([key, count]): Sample => [
        series(name, [...labels, ["key", key]]),
        formatValue(count)
      ])
  }
}

const totals = (
  name: string,
  labels: ReadonlyArray<Label>,
  state: { readonly sum: number; readonly count: number }
): ReadonlyArray<Sample> => [
  [series(`${name}_sum`, labels), formatValue(state.sum)],
  [series(`${name}_count`, labels), formatValue(state.count)]
]

/**
 * Renders a snapshot of Effect's metric registry (`Metric.snapshot`) as Prometheus text exposition format 0.0.4:
 * one `# HELP` / `# TYPE` block per metric name, families sorted by name and label sets by their text, so the
 * output is stable. A name registered with two types keeps the first type seen; the other keys are dropped.
 * Declare counters `incremental: true` to have them typed `counter`.
 */
export const render = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>): string => {
  const families = new Map<string, Family>()
  for (const snapshot of snapshots) {
    const name = metricName(snapshot.id)
    const type = typeOf(snapshot)
    const family = families.get(name) ?? { name, type, help: snapshot.description, groups: [] }
    if (family.type !== type) continue
    families.set(name, family)
    const labels = Object.entries(snapshot.attributes ?? {})
    family.groups.push({ key: series("", labels), samples: samplesOf(name, labels, snapshot) })
  }
  const lines: Array<string> = []
  for (const family of [...families.values()].sort((a, b) => compare(a.name, b.name))) {
    if (family.help !== undefined) lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`)
    lines.push(`# TYPE ${family.name} ${family.type}`)
    for (const group of [...family.groups].sort((a, b) => compare(a.key, b.key))) {
      for (const [key, value] of group.samples) lines.push(`${key} ${value}`)
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
