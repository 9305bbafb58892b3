import { Effect } from "effect"
import { SqlClient } from "effect/sql"

// Our own PIN inventory. A code is handed out at most once: `order_id` is unique, and the pin is unique per group.
// One statement per query: the Postgres client sends each with the extended protocol, which takes one.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
create table code_groups (
  id text primary key,
  low_stock_threshold integer not null default 10,
  created_at timestamptz not null default now()
)
`
  yield* sql`
create table codes (
  id bigint generated always as identity primary key,
  group_id text not null references code_groups (id),
  pin text not null,
  serial text,
  status text not null default 'available' check (status in ('available', 'used')),
  order_id uuid unique references orders (id),
  created_at timestamptz not null default now(),
  used_at timestamptz,
  unique (group_id, pin),
  constraint used_has_order check ((status = 'used') = (order_id is not null))
)
`
  yield* sql`create index codes_available on codes (group_id, id) where status = 'available'`
})
