import { Effect } from "effect"
import { SqlClient } from "effect/sql"

// Money is numeric(18,2): every currency Tawsil sells in has two decimals. Time is always timestamptz set by now().
// One statement per query: the Postgres client sends each with the extended protocol, which takes one.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
create table accounts (
  id text primary key,
  name text not null,
  currency text not null,
  balance numeric(18, 2) not null default 0,
  overdraft_limit numeric(18, 2) not null default 0 check (overdraft_limit >= 0),
  created_at timestamptz not null default now(),
  constraint balance_within_overdraft check (balance >= -overdraft_limit)
)
`
  yield* sql`
create table api_keys (
  key_hash text primary key,
  account_id text not null references accounts (id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz
)
`
  yield* sql`create index api_keys_account on api_keys (account_id)`
  yield* sql`
create table providers (
  id text primary key,
  kind text not null,
  name text not null,
  base_url text,
  credentials jsonb not null default '{}',
  options jsonb not null default '{}',
  enabled boolean not null default true,
  updated_at timestamptz not null default now()
)
`
  yield* sql`
create table packages (
  id text primary key,
  name text not null,
  price numeric(18, 2) not null check (price >= 0),
  currency text not null,
  enabled boolean not null default true,
  route_mode text not null check (route_mode in ('auto', 'manual')),
  primary_provider text references providers (id),
  fallback_provider text references providers (id),
  mappings jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  constraint auto_route_has_primary check (route_mode = 'manual' or primary_provider is not null)
)
`
  yield* sql`create sequence order_reference_seq`
  yield* sql`
create table orders (
  id uuid primary key,
  number bigint generated always as identity unique,
  account_id text not null references accounts (id),
  package_id text not null references packages (id),
  quantity integer not null check (quantity between 1 and 1000),
  player_id text not null,
  extra text,
  price_amount numeric(18, 2) not null,
  currency text not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  dispatch_state text not null default 'queued'
    check (dispatch_state in ('queued', 'sending', 'awaiting', 'done', 'failed', 'manual')),
  provider_id text references providers (id),
  -- chosen once at creation and sent on every attempt to every provider (docs/domain.md §4 rule 2); digits only for Znet
  reference text not null unique
    default (to_char(now() at time zone 'utc', 'YYMMDD') || lpad(nextval('order_reference_seq')::text, 12, '0')),
  provider_order_id text,
  fallback_from text references providers (id),
  attempts integer not null default 0,
  last_message text,
  pin text,
  message text,
  provider_cost numeric(18, 4),
  idempotency_key text,
  request_hash text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  last_checked_at timestamptz,
  completed_at timestamptz,
  unique (account_id, idempotency_key)
)
`
  yield* sql`create index orders_account_number on orders (account_id, number desc)`
  yield* sql`create index orders_account_status_number on orders (account_id, status, number desc)`
  yield* sql`create index orders_dispatch_state on orders (dispatch_state, number desc) where dispatch_state not in ('done', 'failed')`
  yield* sql`
create table ledger_entries (
  id bigint generated always as identity primary key,
  account_id text not null references accounts (id),
  kind text not null check (kind in ('debit', 'refund', 'redebit', 'credit', 'correction')),
  amount numeric(18, 2) not null,
  balance_after numeric(18, 2) not null,
  order_id uuid references orders (id),
  -- settlement applies a refund or re-debit once per (order, kind, seq): the unique key makes a second try fail
  seq integer not null default 0,
  note text,
  created_at timestamptz not null default now()
)
`
  yield* sql`create unique index ledger_once_per_order on ledger_entries (order_id, kind, seq) where order_id is not null`
  yield* sql`create index ledger_account on ledger_entries (account_id, id desc)`
  yield* sql`
create table nodes (
  id text primary key,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
)
`
  // One row per unfinished order. The dispatch engine owns it: a node claims it, bumps the fence, and every write the
  // order's fiber makes is conditional on that fence.
  yield* sql`
create table outbox (
  order_id uuid primary key references orders (id),
  owner_node text,
  fence bigint not null default 0,
  claimed_at timestamptz,
  created_at timestamptz not null default now()
)
`
  yield* sql`create index outbox_owner on outbox (owner_node)`
  yield* sql`
create table dispatch_log (
  id bigint generated always as identity primary key,
  order_id uuid not null references orders (id),
  provider_id text,
  action text not null,
  request jsonb,
  response text,
  outcome text not null,
  actor text,
  created_at timestamptz not null default now()
)
`
  yield* sql`create index dispatch_log_order on dispatch_log (order_id, id)`
  yield* sql`
create table settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
)
`
})
