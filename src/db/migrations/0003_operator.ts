import { Effect } from "effect"
import { SqlClient } from "effect/sql"

// An operator may re-dispatch an order to a provider of their choice: it overrides the package route, once.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table orders add column route_override text references providers (id)`
})
