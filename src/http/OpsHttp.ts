import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder, type HttpApiEndpoint } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { EmbeddedPostgresStatus } from "../db/PostgresSupervisor.js"
import { MetricsEndpoint } from "./MetricsEndpoint.js"
import { type EndpointsOf, type GroupHandlers, type OpsApi, TawsilApi } from "./Api.js"
import { ServiceUnavailable } from "./HttpErrors.js"

/**
 * The handlers of the `ops` group (`/healthz`, `/readyz`, `/metrics`), for any HttpApi that contains it (Tawsil's
 * own or a host's). Needs the SqlClient and `MetricsEndpoint`.
 */
export const opsHandlers = <
  Endpoints extends Record<keyof EndpointsOf<typeof OpsApi>, HttpApiEndpoint.Constraint>
>(
  handlers: HttpApiBuilder.Handlers<never, Endpoints>
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const metrics = yield* MetricsEndpoint
    const embedded = yield* Effect.serviceOption(EmbeddedPostgresStatus)
    const embeddedRunning = Option.match(embedded, {
      onNone: () => Effect.void,
      onSome: (status) =>
        Effect.filterOrFail(
          status.running,
          (running) => running,
          () => new ServiceUnavailable({ message: "embedded database restarting" })
        )
    })
    const databaseReachable = sql`select 1`.pipe(
      Effect.timeoutOrElse({
        duration: "2 seconds",
        orElse: () => Effect.fail(new ServiceUnavailable({ message: "database did not answer in time" }))
      }),
      Effect.catchTag("SqlError", () =>
        Effect.fail(new ServiceUnavailable({ message: "database unreachable" }))
      )
    )
    const handled = (handlers as unknown as HttpApiBuilder.Handlers.FromGroup<typeof OpsApi>)
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        embeddedRunning.pipe(Effect.andThen(databaseReachable), Effect.as({ status: "ready" as const }))
      )
      .handle("metrics", ({ headers }) => metrics.scrape(headers.authorization))
    return handled as unknown as GroupHandlers<Endpoints, HttpApiBuilder.Handlers.Context<typeof handled>>
  })

export const OpsHttpLive = HttpApiBuilder.group(TawsilApi, "ops", opsHandlers).pipe(
  Layer.provide(MetricsEndpoint.layer)
)
