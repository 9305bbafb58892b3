import { Config, Context, Effect, Layer, Metric, Option, Schema } from "effect"
import { Unauthorized } from "./HttpErrors.js"
import { render } from "../observability/PrometheusText.js"
import { ScrapeGauges } from "./ScrapeGauges.js"
import { tokenCheck } from "./TokenCheck.js"

/** `TAWSIL_METRICS_TOKEN`: unset = `/metrics` is open (scrapers usually carry no token). */
export const metricsTokenConfig = Config.option(
  Config.schema(
    Schema.Redacted(Schema.String).annotate({
      description: "bearer token required on GET /metrics; unset = no token needed"
    }),
    "TAWSIL_METRICS_TOKEN"
  )
)

const unauthorized = new Unauthorized({ message: "GET /metrics needs Authorization: Bearer <metrics token>" })

/**
 * What `GET /metrics` answers: the gauges read fresh, then the whole metric registry in Prometheus text format.
 * With a metrics token configured, a request without it is refused before anything is read.
 */
export class MetricsEndpoint extends Context.Service<MetricsEndpoint>()(
  "tawsil/observability/MetricsEndpoint",
  {
    make: Effect.gen(function* () {
      const gauges = yield* ScrapeGauges
      const token = yield* Effect.orDie(metricsTokenConfig)
      const matchesToken = Option.map(token, tokenCheck)

      const authorize = (authorization: string | undefined) =>
        Option.match(matchesToken, {
          onNone: () => Effect.void,
          onSome: (matches) => {
            const given = /^bearer (.+)$/i.exec(authorization ?? "")?.[1]?.trim()
            return given !== undefined && matches(given) ? Effect.void : Effect.fail(unauthorized)
          }
        })

      const scrape = (authorization: string | undefined) =>
        authorize(authorization).pipe(
          Effect.andThen(gauges.refresh),
          Effect.andThen(Metric.snapshot),
          Effect.map(render)
        )

      return { scrape } as const
    })
  }
) {
  static readonly layer = Layer.effect(this, this.make).pipe(Layer.provide(ScrapeGauges.layer))
}
