import { Effect } from "effect"
import { SqlClient } from "effect/sql"

// The Tawsil instances an order passed through before this one, from the client API's X-Tawsil-Chain header (null
// for an order created here first); the order's provider calls carry it with this instance's id appended.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table orders add column chain text[]`
})
