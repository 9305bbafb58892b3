/**
 * A strict parser of the Prometheus text exposition format 0.0.4, as far as Tawsil writes it: `# HELP` and
 * `# TYPE` lines, then `name{label="value",…} value` samples (no timestamps, no other comments, no blank lines).
 * It throws on anything else, and checks what a scraper relies on: one TYPE per family, before and next to its
 * samples; histogram buckets ascending in `le`, cumulative, ending in `+Inf` equal to `_count`.
 */

export type Labels = Readonly<Record<string, string>>

export interface Sample {
  readonly name: string
  readonly labels: Labels
  readonly value: number
}

export interface Family {
  readonly type: string
  help: string | undefined
  readonly samples: Array<Sample>
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"])

const fail = (line: number, why: string): never => {
  throw new Error(`line ${line}: ${why}`)
}

const parseValue = (text: string, line: number): number => {
  if (text === "+Inf") return Infinity
  if (text === "-Inf") return -Infinity
  if (text === "NaN") return NaN
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) fail(line, `bad value ${JSON.stringify(text)}`)
  return Number(text)
}

const parseLabels = (text: string, line: number): Labels => {
  const labels: Record<string, string> = {}
  let rest = text
  while (rest.length > 0) {
    const match = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest)
    if (match === null) return fail(line, `bad labels ${JSON.stringify(text)}`)
    const [whole, name = "", raw = ""] = match
    if (!labelName.test(name)) fail(line, `bad label name ${name}`)
    if (name in labels) fail(line, `label ${name} twice`)
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))
    rest = rest.slice(whole.length)
  }
  return labels
}

/** The family a sample belongs to: its own name, or the histogram/summary base of `_bucket`/`_sum`/`_count`. */
const familyOf = (name: string, families: Map<string, Family>) => {
  if (families.has(name)) return name
  const base = name.replace(/_(bucket|sum|count)$/, "")
  return families.has(base) ? base : undefined
}

export const parsePrometheus = (text: string): Map<string, Family> => {
  if (text.length > 0 && !text.endsWith("\n")) fail(0, "the text must end with a newline")
  const families = new Map<string, Family>()
  let current: string | undefined
  text
    .split("\n")
    .slice(0, -1)
    .forEach((raw, i) => {
      const line = i + 1
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
      if (raw.startsWith("#")) {
        if (comment === null) return fail(line, `unexpected comment ${raw}`)
        const [, kind, name = "", rest = ""] = comment
        if (!metricName.test(name)) fail(line, `bad metric name ${name}`)
        if (kind === "TYPE") {
          if (families.has(name) && families.get(name)!.type !== "pending")
            fail(line, `second TYPE for ${name}`)
          if (!types.has(rest)) fail(line, `bad type ${rest}`)
          const help = families.get(name)?.help
          families.set(name, { type: rest, help, samples: [] })
        } else {
          if (families.has(name)) fail(line, `HELP after TYPE or twice for ${name}`)
          families.set(name, { type: "pending", help: rest, samples: [] })
        }
        current = name
        return
      }
      const sample = /^([^\s{]+)(?:\{(.*)\})? (\S+)$/.exec(raw)
      if (sample === null) return fail(line, `not a sample: ${JSON.stringify(raw)}`)
      const [, name = "", labelText = "", valueText = ""] = sample
      if (!metricName.test(name)) fail(line, `bad metric name ${name}`)
      const family = familyOf(name, families)
      if (family === undefined) return fail(line, `sample ${name} without a TYPE`)
      if (family !== current) fail(line, `sample ${name} away from its family`)
      families.get(family)!.samples.push({
        name,
        labels: parseLabels(labelText, line),
        value: parseValue(valueText, line)
      })
    })
  for (const [name, family] of families) {
    if (family.type === "pending") fail(0, `HELP without TYPE for ${name}`)
    if (family.type === "histogram") checkHistogram(name, family)
  }
  return families
}

const checkHistogram = (name: string, family: Family) => {
  const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le"))
  const byKey = new Map<string, Array<Sample>>()
  for (const s of family.samples) {
    if (s.name === `${name}_bucket`) byKey.set(keyOf(s.labels), [...(byKey.get(keyOf(s.labels)) ?? []), s])
  }
  for (const [key, buckets] of byKey) {
    const les = buckets.map((b) => parseValue(b.labels["le"] ?? "", 0))
    if (les.some((le, i) => i > 0 && le <= les[i - 1]!)) fail(0, `${name}${key}: le not ascending`)
    if (buckets.some((b, i) => i > 0 && b.value < buckets[i - 1]!.value)) fail(0, `${name}: not cumulative`)
    if (les.at(-1) !== Infinity) fail(0, `${name}${key}: no +Inf bucket`)
    const count = family.samples.find((s) => s.name === `${name}_count` && keyOf(s.labels) === key)
    if (count?.value !== buckets.at(-1)!.value) fail(0, `${name}${key}: +Inf bucket differs from _count`)
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export const sampleValue = (families: Map<string, Family>, name: string, labels: Labels = {}) => {
  const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ""))
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )
  if (matches.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} samples`)
  return matches[0]?.value
}
