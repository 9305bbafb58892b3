import { HttpApiBuilder } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { EmbeddedPostgresStatus } from "../db/PostgresSupervisor.js"
import { MetricsEndpoint } from "../observability/MetricsEndpoint.js"
import { type OpsApi, TawsilApi } from "./Api.js"
import { ServiceUnavailable } from "./HttpErrors.js"

/**
 * The handlers of the `ops` group (`/healthz`, `/readyz`, `/metrics`), for any HttpApi that contains it (Tawsil's
 * own or a host's). Needs the SqlClient and `MetricsEndpoint`.
 */
export const opsHandlers = <E, R>(handlers: HttpApiBuilder.Handlers.FromGroup<E, R, typeof OpsApi>) =>
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
      Effect.timeoutFail({
        duration: "2 seconds",
        onTimeout: () => new ServiceUnavailable({ message: "database did not answer in time" })
      }),
      Effect.catchTag("SqlError", () =>
        Effect.fail(new ServiceUnavailable({ message: "database unreachable" }))
      )
    )
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        embeddedRunning.pipe(Effect.zipRight(databaseReachable), Effect.as({ status: "ready" as const }))
      )
      .handle("metrics", ({ headers }) => metrics.scrape(headers.authorization))
  })

export const OpsHttpLive = HttpApiBuilder.group(TawsilApi, "ops", opsHandlers).pipe(
  Layer.provide(MetricsEndpoint.Default)
)
