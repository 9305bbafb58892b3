import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { TawsilSchema } from "./TawsilSchema.js"

/**
 * The standalone service only (never an embedded host's database): Tawsil's own statements name its schema
 * (`TawsilSchema`), but tools that read its database with plain names (`select sent_at from orders`: the bench
 * harness, an operator's psql) find the tables too. The schema is appended to the default path of the service's
 * role in its database, so anything else that role does is unchanged; it applies to sessions opened afterwards. A
 * role not allowed to set it (a managed database) only loses that convenience.
 */
export const standaloneSearchPath = Effect.gen(function* () {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const schema = yield* TawsilSchema
  // `alter role` takes no parameters: Postgres quotes the names into the statement's text (`%I`)
  const [statement] = yield* sql<{ text: string }>`
    select format('alter role %I in database %I set search_path = "$user", public, %I',
      current_user, current_database(), ${schema}::text) as text`
  if (statement !== undefined) yield* sql.unsafe(statement.text)
}).pipe(
  Effect.catchCause((cause) =>
    Effect.logWarning("could not add Tawsil's schema to the role's search_path", cause)
  ),
  Effect.withSpan("StandaloneSearchPath")
)

export const StandaloneSearchPathLive = Layer.effectDiscard(standaloneSearchPath)
