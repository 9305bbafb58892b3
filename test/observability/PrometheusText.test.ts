import { assert, describe, it } from "@effect/vitest"
import { MetricBoundaries, MetricKey, MetricPair, MetricState, Option } from "effect"
import { formatValue, render } from "../../src/observability/PrometheusText.js"
import { parsePrometheus, sampleValue } from "./PromParse.js"

const counter = (outcome: string, count: number) =>
  MetricPair.unsafeMake(
    MetricKey.counter("tawsil_orders_created_total", {
      description: "Orders by outcome",
      incremental: true
    }).pipe(MetricKey.tagged("outcome", outcome)),
    MetricState.counter(count)
  )

const latency = (provider: string, values: ReadonlyArray<number>) => {
  const bounds = [0.1, 1, Infinity]
  return MetricPair.unsafeMake(
    MetricKey.histogram(
      "tawsil_provider_call_duration_seconds",
      MetricBoundaries.fromIterable([0.1, 1]),
      "Call latency"
    ).pipe(MetricKey.tagged("provider", provider), MetricKey.tagged("call", "place")),
    MetricState.histogram({
      buckets: bounds.map((le) => [le, values.filter((v) => v <= le).length] as const),
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      sum: values.reduce((a, b) => a + b, 0)
    })
  )
}

describe("PrometheusText.render", () => {
  it("writes counters, gauges and histograms with their tags as exposition format 0.0.4", () => {
    const text = render([
      latency("znet", [0.05, 0.5, 3]),
      counter("insufficient_balance", 1),
      MetricPair.unsafeMake(MetricKey.gauge("tawsil_order_fibers_in_flight"), MetricState.gauge(7)),
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
      MetricPair.unsafeMake(
        MetricKey.gauge("weird-name.total", { description: "line one\nback\\slash" }).pipe(
          MetricKey.tagged("group", 'a "quoted"\\ group\nnext'),
          MetricKey.tagged("bad-label", "x")
        ),
        MetricState.gauge(Number.NaN)
      ),
      MetricPair.unsafeMake(
        MetricKey.counter("big_total", { bigint: true, incremental: true }),
        MetricState.counter(BigInt("9007199254740993"))
      )
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
      MetricPair.unsafeMake(
        MetricKey.summary({
          name: "s",
          maxAge: "1 minute",
          maxSize: 10,
          error: 0.01,
          quantiles: [0.5, 0.99]
        }),
        MetricState.summary({
          error: 0.01,
          quantiles: [
            [0.5, Option.some(2)],
            [0.99, Option.none()]
          ],
          count: 3,
          min: 1,
          max: 3,
          sum: 6
        })
      )
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
      MetricPair.unsafeMake(MetricKey.counter("dup", { incremental: true }), MetricState.counter(1)),
      MetricPair.unsafeMake(MetricKey.gauge("dup"), MetricState.gauge(5)),
      MetricPair.unsafeMake(MetricKey.counter("effect_fiber_active"), MetricState.counter(4))
    ])
    assert.strictEqual(
      text,
      "# TYPE dup counter\ndup 1\n# TYPE effect_fiber_active gauge\neffect_fiber_active 4\n"
    )
  })
})
