import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, Effect, Layer, Option, Schema } from "effect"
import { HttpMiddleware } from "effect/http"

const described = (name: string, description: string) =>
  Config.schema(Schema.String.annotate({ description }), name)

/**
 * The standard OpenTelemetry variables. Only the endpoints and the service name are read here; the exporter reads
 * `OTEL_EXPORTER_OTLP_HEADERS` (e.g. an API key for the collector) from the environment itself, so that secret
 * never passes through Tawsil's config or logs.
 */
export const tracingConfig = Config.all({
  endpoint: Config.option(
    described(
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTLP/HTTP collector base URL, e.g. http://localhost:4318; unset = no export"
    )
  ),
  tracesEndpoint: Config.option(
    described(
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      "full URL for traces; overrides <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces"
    )
  ),
  serviceName: Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault("tawsil"))
})

/** Where spans go: the traces endpoint if given, else `/v1/traces` under the base endpoint; none = no export. */
export const tracesUrl = (config: Config.Success<typeof tracingConfig>): Option.Option<string> =>
  Option.orElse(config.tracesEndpoint, () =>
    Option.map(config.endpoint, (base) => `${base.replace(/\/+$/, "")}/v1/traces`)
  )

/**
 * Exports Effect's spans (HTTP requests, `SendStep.send`, `StatusMonitor.check`, SQL, …) over OTLP/HTTP (JSON)
 * when an endpoint is configured, batched; the last batch is flushed when the layer's scope closes. Without an
 * endpoint spans stay in process, and HTTP requests get no span of their own.
 */
export const TracingLive = Layer.unwrap(
  Effect.map(tracingConfig, (config) =>
    Option.match(tracesUrl(config), {
      // nothing reads a request's span unless it is exported: the HTTP server makes none (spans inside remain)
      onNone: () => Layer.succeed(HttpMiddleware.TracerDisabledWhen)(() => true),
      onSome: (url) =>
        NodeSdk.layer(() => ({
          resource: { serviceName: config.serviceName },
          spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url }))
        })).pipe(
          Layer.tap(() =>
            Effect.logInfo("exporting traces over OTLP").pipe(
              Effect.annotateLogs({ module: "Tracing", serviceName: config.serviceName })
            )
          )
        )
    })
  )
)
