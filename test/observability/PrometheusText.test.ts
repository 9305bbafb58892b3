import { assert, describe, it } from "@effect/vitest"
import type { Metric } from "effect"
import { formatValue, render } from "../../src/observability/PrometheusText.js"
import { parsePrometheus, sampleValue } from "./PromParse.js"

// snapshots as `Metric.snapshot` gives them (Effect 4: one structural record per series, attributes = the tags)
type Attributes = Metric.Metric.AttributeSet | undefined

const counterOf = (
  id: string,
  count: number | bigint,
  options: {
    readonly description?: string
    readonly incremental?: boolean
    readonly attributes?: Attributes
  } = {}
): Metric.Metric.Snapshot => ({
  id,
  type: "Counter",
  description: options.description,
  attributes: options.attributes,
  state: { count, incremental: options.incremental ?? false }
})

const gaugeOf = (
  id: string,
  value: number,
  options: { readonly description?: string; readonly attributes?: Attributes } = {}
): Metric.Metric.Snapshot => ({
  id,
  type: "Gauge",
  description: options.description,
  attributes: options.attributes,
  state: { value }
})

const counter = (outcome: string, count: number) =>
  counterOf("tawsil_orders_created_total", count, {
    description: "Orders by outcome",
    incremental: true,
    attributes: { outcome }
  })

const latency = (provider: string, values: ReadonlyArray<number>): Metric.Metric.Snapshot => {
  const bounds = [0.1, 1, Infinity]
  return {
    id: "tawsil_provider_call_duration_seconds",
    type: "Histogram",
    description: "Call latency",
    attributes: { provider, call: "place" },
    state: {
      buckets: bounds.map((le): [number, number] => [le, values.filter((v) => v <= le).length]),
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      sum: values.reduce((a, b) => a + b, 0)
    }
  }
}

describe("PrometheusText.render", () => {
  it("writes counters, gauges and histograms with their tags as exposition format 0.0.4", () => {
    const text = render([
      latency("znet", [0.05, 0.5, 3]),
      counter("insufficient_balance", 1),
      gaugeOf("tawsil_order_fibers_in_flight", 7),
      counter("created", 12),
      latency("barakat", [0.2])
    ])
    assert.strictEqual(
      text,
      [
        "# TYPE tawsil_order_fibers_in_flight gauge",
        "tawsil_order_fibers_in_flight 7",
        "# HELP tawsil_orders_created_total Orders by outcome",
        "# TYPE tawsil_orders_created_total counter",
        'tawsil_orders_created_total{outcome="created"} 12',
        'tawsil_orders_created_total{outcome="insufficient_balance"} 1',
        "# HELP tawsil_provider_call_duration_seconds Call latency",
        "# TYPE tawsil_provider_call_duration_seconds histogram",
        'tawsil_provider_call_duration_seconds_bucket{provider="barakat",call="place",le="0.1"} 0',
        'tawsil_provider_call_duration_seconds_bucket{provider="barakat",call="place",le="1"} 1',
        'tawsil_provider_call_duration_seconds_bucket{provider="barakat",call="place",le="+Inf"} 1',
        'tawsil_provider_call_duration_seconds_sum{provider="barakat",call="place"} 0.2',
        'tawsil_provider_call_duration_seconds_count{provider="barakat",call="place"} 1',
        'tawsil_provider_call_duration_seconds_bucket{provider="znet",call="place",le="0.1"} 1',
        'tawsil_provider_call_duration_seconds_bucket{provider="znet",call="place",le="1"} 2',
        'tawsil_provider_call_duration_seconds_bucket{provider="znet",call="place",le="+Inf"} 3',
        'tawsil_provider_call_duration_seconds_sum{provider="znet",call="place"} 3.55',
        'tawsil_provider_call_duration_seconds_count{provider="znet",call="place"} 3',
        ""
      ].join("\n")
    )
    const parsed = parsePrometheus(text)
    assert.strictEqual(sampleValue(parsed, "tawsil_orders_created_total", { outcome: "created" }), 12)
    assert.strictEqual(
      sampleValue(parsed, "tawsil_provider_call_duration_seconds_count", { provider: "znet" }),
      3
    )
  })

  it("escapes label values and help text, and spells special values the Prometheus way", () => {
    const text = render([
      gaugeOf("weird-name.total", Number.NaN, {
        description: "line one\nback\\slash",
        attributes: { group: 'a "quoted"\\ group\nnext', "bad-label": "x" }
      }),
      counterOf("big_total", BigInt("9007199254740993"), { incremental: true })
    ])
    assert.strictEqual(
      text,
      [
        "# TYPE big_total counter",
        "big_total 9007199254740993",
        "# HELP weird_name_total line one\\nback\\\\slash",
        "# TYPE weird_name_total gauge",
        'weird_name_total{group="a \\"quoted\\"\\\\ group\\nnext",bad_label="x"} NaN',
        ""
      ].join("\n")
    )
    const parsed = parsePrometheus(text)
    assert.strictEqual(
      parsed.get("weird_name_total")?.samples[0]?.labels["group"],
      'a "quoted"\\ group\nnext'
    )
    assert.deepStrictEqual(
      [formatValue(Infinity), formatValue(-Infinity), formatValue(0.25)],
      ["+Inf", "-Inf", "0.25"]
    )
  })

  it("writes a summary's quantiles, sum and count; an empty registry is empty text", () => {
    const text = render([
      {
        id: "s",
        type: "Summary",
        description: undefined,
        attributes: undefined,
        state: {
          quantiles: [
            [0.5, 2],
            [0.99, undefined]
          ],
          count: 3,
          min: 1,
          max: 3,
          sum: 6
        }
      }
    ])
    assert.strictEqual(
      text,
      ["# TYPE s summary", 's{quantile="0.5"} 2', 's{quantile="0.99"} NaN', "s_sum 6", "s_count 3", ""].join(
        "\n"
      )
    )
    parsePrometheus(text)
    assert.strictEqual(render([]), "")
  })

  it("keeps the first type of a name registered twice; a counter that may go down is a gauge", () => {
    const text = render([
      counterOf("dup", 1, { incremental: true }),
      gaugeOf("dup", 5),
      counterOf("effect_fiber_active", 4)
    ])
    assert.strictEqual(
      text,
      "# TYPE dup counter\ndup 1\n# TYPE effect_fiber_active gauge\neffect_fiber_active 4\n"
    )
  })
})
