import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"

/**
 * The host's `SqlClient` as Tawsil's services see it: without the host's name transforms (`transformResultNames`,
 * `transformQueryNames`), since Tawsil reads and writes snake_case columns. Same pool, same transactions: a
 * statement inside the host's `withTransaction` still runs on that transaction's connection.
 */
export const UntransformedSqlLive = Layer.effect(
  SqlClient.SqlClient,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return sql.withoutTransforms()
  })
)
