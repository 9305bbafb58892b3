/**
 * Tawsil on a host's database: its tables in the schema `tawsil` beside a host's own `public.orders`, read through
 * a host SqlClient that turns snake_case into camelCase; and a database migrated by a version that kept its tables
 * in `public`, moved into the schema with its rows.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, String } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import initial from "../../src/db/migrations/0001_initial.js"
import codes from "../../src/db/migrations/0002_codes.js"
import operator from "../../src/db/migrations/0003_operator.js"
import { AccountId } from "../../src/orders/Account.js"
import { migrate } from "../../src/db/Migrations.js"
import { standaloneSearchPath } from "../../src/db/StandaloneSearchPath.js"
import { Accounts } from "../../src/orders/Accounts.js"
import { Orders } from "../../src/orders/Orders.js"
import { testClockSafe } from "../../src/testing/TestPostgres.js"
import { Script, TawsilTest } from "../../src/testing/index.js"

const newDatabaseUrl = Effect.gen(function* () {
  const serverUrl = inject("pgUrl")
  const name = `h_${randomBytes(6).toString("hex")}`
  yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`create database ${name}`)).pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 })),
    Effect.orDie
  )
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return Redacted.make(url.toString())
})

/** A fresh database on the test server, with a client that transforms names as many hosts' clients do. */
const freshDatabase = (transforms: boolean) =>
  Layer.unwrap(
    Effect.gen(function* () {
      return PgClient.layer({
        url: yield* newDatabaseUrl,
        maxConnections: 10,
        ...testClockSafe,
        ...(transforms
          ? { transformResultNames: String.snakeToCamel, transformQueryNames: String.camelToSnake }
          : {})
      })
    })
  )

/** The host's own `orders` table, in `public`, with columns of its own. */
const HostWithOrders = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`create table orders (id serial primary key, cart_total numeric not null, placed_by text not null)`
    yield* sql`insert into orders (cart_total, placed_by) values (42.50, 'host-customer')`
  }).pipe(Effect.orDie)
).pipe(Layer.provideMerge(freshDatabase(true)))

/** What the version before the schema left: migrations 0001–0003 in `public`, tracked in `public.tawsil_migrations`. */
const previousVersionDatabase = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* Migrator.make({})({
      loader: Migrator.fromRecord({
        "0001_initial": initial,
        "0002_codes": codes,
        "0003_operator": operator
      }),
      table: "tawsil_migrations"
    })
    yield* sql`insert into accounts (id, name, currency, balance) values ('old-account', 'Old reseller', 'USD', 7.50)`
    yield* sql`insert into packages (id, name, price, currency, route_mode) values ('old-package', 'Old', 2.50, 'USD', 'manual')`
    yield* sql`
      insert into orders (id, account_id, package_id, quantity, player_id, price_amount, currency, status, dispatch_state)
      values ('00000000-0000-4000-8000-000000000001', 'old-account', 'old-package', 1, '5550000', 2.50, 'USD',
              'approved', 'done')`
    yield* sql`
      insert into ledger_entries (account_id, kind, amount, balance_after, order_id)
      values ('old-account', 'debit', -2.50, 7.50, '00000000-0000-4000-8000-000000000001')`
  }).pipe(Effect.orDie)
).pipe(Layer.provideMerge(freshDatabase(false)))

const tablesIn = (schema: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema} order by 1`
  ).pipe(
    Effect.map((rows) => rows.map((row) => row.name)),
    Effect.orDie
  )

describe("Tawsil's own Postgres schema", () => {
  it.effect(
    "beside a host's public.orders, through a camelCase host client: migrates, creates, settles",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({ script: { check: [Script.succeeded("1234-5678")] } })
        const order = yield* shop.order()
        yield* TawsilTest.advancePolls(1)
        const settled = yield* shop.get(order.id)
        assert.strictEqual(settled.status, "approved")
        assert.strictEqual(settled.pin, "1234-5678")
        assert.strictEqual(yield* shop.balance, "90.00")

        const sql = yield* SqlClient.SqlClient
        const hostRows = yield* sql<{ cartTotal: string; placedBy: string }>`select * from orders`.pipe(
          Effect.orDie
        )
        assert.deepStrictEqual(
          hostRows.map((row) => [row.cartTotal, row.placedBy]),
          [["42.50", "host-customer"]],
          "the host's table is untouched (and its client still camelCases)"
        )
        assert.deepStrictEqual(yield* tablesIn("public"), ["orders"])
        const tawsilTables = yield* tablesIn("tawsil")
        assert.includeMembers(tawsilTables, ["accounts", "orders", "outbox", "settings", "tawsil_migrations"])
        const applied = yield* sql<{
          n: number
        }>`select count(*)::int as n from tawsil.tawsil_migrations`.pipe(Effect.orDie)
        assert.strictEqual(applied[0]!.n, 5)
      }).pipe(Effect.provide(TawsilTest.layerWithSql()), Effect.provide(HostWithOrders))
  )

  it.effect(
    "a database of the previous version (tables in public) is moved into the schema, rows and all",
    () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(yield* tablesIn("public"), [], "nothing of Tawsil's is left in public")
        assert.includeMembers(yield* tablesIn("tawsil"), [
          "accounts",
          "orders",
          "ledger_entries",
          "tawsil_migrations"
        ])

        const account = yield* (yield* Accounts).get("old-account")
        assert.strictEqual(account.balance, "7.50")
        const old = yield* (yield* Orders).get(
          AccountId.make("old-account"),
          "00000000-0000-4000-8000-000000000001"
        )
        assert.strictEqual(old.status, "approved")

        const sql = yield* SqlClient.SqlClient
        const migrations = yield* sql<{ name: string }>`
        select name from tawsil.tawsil_migrations order by migration_id`.pipe(Effect.orDie)
        assert.deepStrictEqual(
          migrations.map((row) => row.name),
          ["initial", "codes", "operator", "chain", "callbacks"],
          "the old record moved with the tables; the newer migration ran on top"
        )

        // the reference sequence moved too: a new order still gets one, and the engine settles it
        const shop = yield* TawsilTest.shop({ script: { check: [Script.succeeded("9999-0000")] } })
        const order = yield* shop.order()
        yield* TawsilTest.advancePolls(1)
        assert.strictEqual((yield* shop.get(order.id)).status, "approved")
        const references = yield* sql<{ reference: string }>`select reference from tawsil.orders`.pipe(
          Effect.orDie
        )
        assert.strictEqual(new Set(references.map((row) => row.reference)).size, 2)
      }).pipe(Effect.provide(TawsilTest.layerWithSql()), Effect.provide(previousVersionDatabase))
  )

  it.effect(
    "the standalone service: a tool reading its database with plain names (the bench harness) finds them",
    () =>
      Effect.gen(function* () {
        const url = yield* newDatabaseUrl
        const connect = PgClient.layer({ url, maxConnections: 1 })
        yield* Effect.andThen(migrate, standaloneSearchPath).pipe(Effect.provide(connect))
        // a session opened afterwards, as the harness's own pool does
        const rows = yield* Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ n: number }>`select count(*)::int as n from orders where sent_at is not null`
        ).pipe(Effect.provide(connect), Effect.orDie)
        assert.strictEqual(rows[0]!.n, 0)
      })
  )
})
