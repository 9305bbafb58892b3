/**
 * Tawsil on a host's database: its tables in the schema `tawsil` (or one the host names) beside a host's own
 * `public.orders`, read through a host SqlClient that turns snake_case into camelCase; and a database migrated by a
 * version that kept its tables in `public`, moved into the schema with its rows.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Layer, Redacted, Schema, String } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import initial from "../../src/db/migrations/0001_initial.js"
import codes from "../../src/db/migrations/0002_codes.js"
import operator from "../../src/db/migrations/0003_operator.js"
import { AccountId } from "../../src/orders/Account.js"
import { migrate } from "../../src/db/Migrations.js"
import { standaloneSearchPath } from "../../src/db/StandaloneSearchPath.js"
import { SchemaName, schemaLayer } from "../../src/db/TawsilSchema.js"
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

/** The schemas of a database other than Postgres's own. */
const schemas = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ name: string }>`
    select nspname as name from pg_namespace
    where nspname not like 'pg\\_%' and nspname <> 'information_schema' order by 1`
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
  it.effect(
    "in a schema the host names (layer({ schema: 'shop_tawsil' })): tables and migrations there, no tawsil schema, an order settled across a crash",
    () =>
      Effect.gen(function* () {
        const shop = yield* TawsilTest.shop({
          script: { check: [Script.pending(), Script.pending(), Script.succeeded("5555-6666")] }
        })
        const order = yield* shop.order()
        yield* TawsilTest.advance("11 seconds")
        // the kit's own statements (the dead node's heartbeat, its orders) follow the schema too
        const takeover = yield* TawsilTest.restart
        assert.strictEqual(takeover.orders, 1)
        yield* TawsilTest.advance("11 seconds")
        const settled = yield* shop.get(order.id)
        assert.strictEqual(settled.status, "approved")
        assert.strictEqual(settled.pin, "5555-6666")
        assert.strictEqual(yield* shop.balance, "90.00")

        assert.deepStrictEqual(yield* schemas, ["public", "shop_tawsil"], "no schema tawsil is created")
        assert.deepStrictEqual(yield* tablesIn("public"), ["orders"])
        assert.includeMembers(yield* tablesIn("shop_tawsil"), [
          "accounts",
          "api_keys",
          "callback_deliveries",
          "dispatch_log",
          "ledger_entries",
          "nodes",
          "orders",
          "outbox",
          "settings",
          "tawsil_migrations"
        ])
        const sql = yield* SqlClient.SqlClient
        const applied = yield* sql<{
          n: number
        }>`select count(*)::int as n from shop_tawsil.tawsil_migrations`.pipe(Effect.orDie)
        assert.strictEqual(applied[0]!.n, 5)
        const rows = yield* sql<{ status: string; reference: string }>`
          select status, reference from shop_tawsil.orders`.pipe(Effect.orDie)
        assert.deepStrictEqual(
          rows.map((row) => row.status),
          ["approved"]
        )
        assert.match(rows[0]!.reference, /^\d{18}$/, "the reference sequence lives in the schema too")
        const hostRows = yield* sql<{ cartTotal: string; placedBy: string }>`select * from orders`.pipe(
          Effect.orDie
        )
        assert.deepStrictEqual(
          hostRows.map((row) => [row.cartTotal, row.placedBy]),
          [["42.50", "host-customer"]],
          "the host's table is untouched"
        )
      }).pipe(
        Effect.provide(
          TawsilTest.layerWithSql({
            schema: "shop_tawsil",
            dispatch: { heartbeatInterval: Duration.seconds(3), leaseTtl: Duration.seconds(10) }
          })
        ),
        Effect.provide(HostWithOrders)
      )
  )

  it.effect("a schema name Tawsil cannot own is refused when the layer is built, naming the option", () =>
    Effect.gen(function* () {
      for (const name of ["Bad-Name", "public"]) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(TawsilTest.layerWithSql({ schema: name }))))
        assert.isTrue(Exit.isFailure(exit), name)
        const pretty = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        assert.include(pretty, `InvalidSchemaName: tawsil: layer({ schema }) = "${name}"`)
      }
      assert.deepStrictEqual(yield* schemas, ["public"], "nothing was created")

      const isName = Schema.is(SchemaName)
      assert.deepStrictEqual(["tawsil", "shop_tawsil", "_t2", "a".repeat(63)].map(isName), [
        true,
        true,
        true,
        true
      ])
      assert.deepStrictEqual(
        ["Bad-Name", "public", "pg_tawsil", "2shop", "shop.tawsil", "", "a".repeat(64)].map(isName),
        [false, false, false, false, false, false, false]
      )
    }).pipe(Effect.provide(freshDatabase(false)))
  )

  it.effect(
    "the standalone service with TAWSIL_SCHEMA: migrated there, and plain names still find its tables",
    () =>
      Effect.gen(function* () {
        const url = yield* newDatabaseUrl
        const connect = PgClient.layer({ url, maxConnections: 1 })
        yield* Effect.andThen(migrate, standaloneSearchPath).pipe(
          Effect.provide(schemaLayer("shop_tawsil", "TAWSIL_SCHEMA")),
          Effect.provide(connect)
        )
        const found = yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{
            n: number
          }>`select count(*)::int as n from orders where sent_at is not null`
          return { orders: rows[0]!.n, schemas: yield* schemas }
        }).pipe(Effect.provide(connect), Effect.orDie)
        assert.deepStrictEqual(found, { orders: 0, schemas: ["public", "shop_tawsil"] })
      })
  )
})
