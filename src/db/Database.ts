import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { TawsilConfig } from "../TawsilConfig.js"
import { startEmbeddedPostgres } from "./EmbeddedPostgres.js"
import { MigrationsLive } from "./Migrations.js"

const poolOptions = { maxConnections: 20, applicationName: "tawsil" } as const

/**
 * The SqlClient of the standalone service: `DATABASE_URL` when set, else an embedded Postgres under the data
 * directory, started and stopped with the layer. Migrations have run when the layer is built.
 */
export const DatabaseLive = Layer.unwrapScoped(
  Effect.gen(function* () {
    const config = yield* TawsilConfig
    const url = yield* Option.match(config.databaseUrl, {
      onSome: Effect.succeed,
      onNone: () =>
        startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort }).pipe(
          Effect.map((pg) => pg.url),
          Effect.orDie
        )
    })
    return MigrationsLive.pipe(Layer.provideMerge(PgClient.layer({ url, ...poolOptions })))
  })
)
