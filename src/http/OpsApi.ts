import { Schema } from "effect"
import { HttpApiEndpoint as Endpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { contentType as prometheusContentType } from "../observability/PrometheusText.js"
import { ServiceUnavailable, Unauthorized } from "./HttpErrors.js"

/** Liveness, readiness and Prometheus metrics: no account, no admin token. */
export class OpsApi extends HttpApiGroup.make("ops").add(
  Endpoint.get("healthz", "/healthz", { success: Schema.Struct({ status: Schema.Literal("ok") }) }),
  Endpoint.get("readyz", "/readyz", {
    success: Schema.Struct({ status: Schema.Literal("ready") }),
    error: ServiceUnavailable
  }),
  Endpoint.get("metrics", "/metrics", {
    headers: { authorization: Schema.optional(Schema.String) },
    success: Schema.String.pipe(HttpApiSchema.asText({ contentType: prometheusContentType })),
    error: Unauthorized
  }).annotate(
    OpenApi.Summary,
    "Prometheus metrics (text format 0.0.4); bearer token only if TAWSIL_METRICS_TOKEN is set"
  )
) {}
