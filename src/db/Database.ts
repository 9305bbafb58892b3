import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Option, type Redacted } from "effect"
import { TawsilConfig } from "../TawsilConfig.js"
import { startEmbeddedPostgres } from "./EmbeddedPostgres.js"
import { MigrationsLive } from "./Migrations.js"
import { EmbeddedPostgresStatus } from "./PostgresSupervisor.js"
import { StandaloneSearchPathLive } from "./StandaloneSearchPath.js"

// a few connections opened at start: the first requests after a start do not wait for connects
const poolOptions = { maxConnections: 20, minConnections: 4, applicationName: "tawsil" } as const

const connect = (url: Parameters<typeof PgClient.layer>[0]["url"] & {}) =>
  Layer.mergeAll(MigrationsLive, StandaloneSearchPathLive).pipe(
    Layer.provideMerge(PgClient.layer({ url, ...poolOptions }))
  )

/** Where the standalone service's database is: other processes of the service connect to the same one. */
export class DatabaseUrl extends Context.Service<DatabaseUrl, Redacted.Redacted<string>>()(
  "tawsil/db/DatabaseUrl"
) {}

/**
 * The SqlClient of the standalone service: `DATABASE_URL` when set, else an embedded Postgres under the data
 * directory, supervised (its status feeds `/readyz`), started and stopped with the layer. Migrations have run when
 * the layer is built.
 */
export const DatabaseLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* TawsilConfig
    if (Option.isSome(config.databaseUrl)) {
      return Layer.mergeAll(
        connect(config.databaseUrl.value),
        EmbeddedPostgresStatus.external,
        Layer.succeed(DatabaseUrl, config.databaseUrl.value)
      )
    }
    const pg = yield* startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort
    }).pipe(Effect.orDie)
    const status =
      pg.status === undefined
        ? EmbeddedPostgresStatus.external
        : Layer.succeed(EmbeddedPostgresStatus, pg.status)
    return Layer.mergeAll(connect(pg.url), status, Layer.succeed(DatabaseUrl, pg.url))
  })
)
