import { Effect, Layer, Option } from "effect"
import { HttpApiBuilder, type HttpApiMiddleware } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { EmbeddedPostgresStatus } from "../db/PostgresSupervisor.js"
import { MetricsEndpoint } from "./MetricsEndpoint.js"
import { TawsilApi } from "./Api.js"
import type { OpsApi } from "./OpsApi.js"
import type { MountedEndpoints } from "./MountedGroup.js"
import { ServiceUnavailable } from "./HttpErrors.js"

/**
 * The handlers of the `ops` group (`/healthz`, `/readyz`, `/metrics`), for any HttpApi that contains it (Tawsil's
 * own or a host's). Needs the SqlClient and `MetricsEndpoint`.
 */
export const opsHandlers = <Added extends HttpApiMiddleware.AnyId = never>(
  handlers: HttpApiBuilder.Handlers<never, MountedEndpoints<typeof OpsApi, Added>>
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
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        embeddedRunning.pipe(Effect.andThen(databaseReachable), Effect.as({ status: "ready" as const }))
      )
      .handle("metrics", ({ headers }) => metrics.scrape(headers.authorization))
  })

export const OpsHttpLive = HttpApiBuilder.group(TawsilApi, "ops", opsHandlers).pipe(
  Layer.provide(MetricsEndpoint.layer)
)
