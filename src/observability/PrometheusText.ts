import { type MetricKey, MetricKeyType, MetricState, Option, type MetricPair } from "effect"

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

/** A counter Effect may decrement (not `incremental`, like `effect_fiber_active`) is a gauge to Prometheus. */
const typeOf = (
  key: MetricKey.MetricKey.Untyped,
  state: MetricState.MetricState.Untyped
): Type | undefined => {
  if (MetricState.isCounterState(state)) {
    return MetricKeyType.isCounterKey(key.keyType) && key.keyType.incremental ? "counter" : "gauge"
  }
  if (MetricState.isFrequencyState(state)) return "counter"
  if (MetricState.isGaugeState(state)) return "gauge"
  if (MetricState.isHistogramState(state)) return "histogram"
  if (MetricState.isSummaryState(state)) return "summary"
  return undefined
}

/** The samples of one metric key (one label set), in the order the exposition format documents them. */
const samplesOf = (
  name: string,
  labels: ReadonlyArray<Label>,
  state: MetricState.MetricState.Untyped
): ReadonlyArray<Sample> => {
  if (MetricState.isCounterState(state)) return [[series(name, labels), formatValue(state.count)]]
  if (MetricState.isGaugeState(state)) return [[series(name, labels), formatValue(state.value)]]
  const totals: ReadonlyArray<Sample> =
    MetricState.isHistogramState(state) || MetricState.isSummaryState(state)
      ? [
          [series(`${name}_sum`, labels), formatValue(state.sum)],
          [series(`${name}_count`, labels), formatValue(state.count)]
        ]
      : []
  if (MetricState.isHistogramState(state)) {
    // Effect's buckets are cumulative and end with +Inf (MetricBoundaries.fromIterable appends it)
    const buckets = state.buckets.some(([le]) => le === Number.POSITIVE_INFINITY)
      ? state.buckets
      : [...state.buckets, [Number.POSITIVE_INFINITY, state.count] as const]
    return [
      ...buckets.map(([le, count]): Sample => [
        series(`${name}_bucket`, [...labels, ["le", formatValue(le)]]),
        formatValue(count)
      ]),
      ...totals
    ]
  }
  if (MetricState.isSummaryState(state)) {
    return [
      ...state.quantiles.map(([q, value]): Sample => [
        series(name, [...labels, ["quantile", formatValue(q)]]),
        formatValue(Option.getOrElse(value, () => Number.NaN))
      ]),
      ...totals
    ]
  }
  if (MetricState.isFrequencyState(state)) {
    return [...state.occurrences].map(([key, count]): Sample => [
      series(name, [...labels, ["key", key]]),
      formatValue(count)
    ])
  }
  return []
}

/**
 * Renders a snapshot of Effect's metric registry (`Metric.snapshot`) as Prometheus text exposition format 0.0.4:
 * one `# HELP` / `# TYPE` block per metric name, families sorted by name and label sets by their text, so the
 * output is stable. A name registered with two types keeps the first type seen; the other keys are dropped.
 * Declare counters `incremental: true` to have them typed `counter`.
 */
export const render = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  for (const { metricKey, metricState } of pairs) {
    const name = metricName(metricKey.name)
    const type = typeOf(metricKey, metricState)
    if (type === undefined) continue
    const family = families.get(name) ?? {
      name,
      type,
      help: Option.getOrUndefined(metricKey.description),
      groups: []
    }
    if (family.type !== type) continue
    families.set(name, family)
    const labels = metricKey.tags.map((tag): Label => [tag.key, tag.value])
    family.groups.push({ key: series("", labels), samples: samplesOf(name, labels, metricState) })
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
