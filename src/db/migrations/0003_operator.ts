import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// An operator may re-dispatch an order to a provider of their choice: it overrides the package route, once.
export default Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`
alter table orders add column route_override text references providers (id);
`
)
