import { Effect } from "effect"
import { SqlClient } from "effect/sql"

// Signed settlement callbacks (#17): an account's callback URL and secret (the secret stored as given: it signs),
// and the durable outbox of deliveries, one row per settlement event, written in the settlement's statement.
// `seq` orders an order's events (assigned at insert, under the order's row lock): a later one waits for earlier ones.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table accounts add column callback_url text, add column callback_secret text`
  yield* sql`
create table callback_deliveries (
  id uuid primary key,
  seq bigint generated always as identity,
  account_id text not null references accounts (id),
  order_id uuid not null references orders (id),
  payload jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
)`
  yield* sql`create index callback_deliveries_due on callback_deliveries (next_attempt_at) where state = 'pending'`
  yield* sql`create index callback_deliveries_order on callback_deliveries (order_id, seq)`
  yield* sql`create index callback_deliveries_state on callback_deliveries (state, created_at)`
})
