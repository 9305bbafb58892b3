/**
 * A host that already has a table named `orders` (in `public`), read through a client that camelCases names, as many
 * hosts' clients do: Tawsil migrates beside it (its tables in the schema `tawsil`), and both keep working on one
 * database. Only "tawsil" and "tawsil/testing" are imported.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, String } from "effect"
import { SqlClient } from "effect/sql"
import { Script, TawsilTest, TestPostgres, testClockSafe } from "tawsil/testing"
import { hostTestLayer, shopPackageId } from "./HostTestLayer.js"
import { Shop } from "./Shop.js"

/** The host's own client on the test's database: snake_case columns read as camelCase. */
const CamelCaseClient = Layer.unwrap(
  Effect.gen(function* () {
    const { config } = yield* PgClient.PgClient
    return PgClient.layer({
      ...config,
      maxConnections: 10,
      ...testClockSafe,
      transformResultNames: String.snakeToCamel,
      transformQueryNames: String.camelToSnake
    })
  })
).pipe(Layer.orDie, Layer.provide(TestPostgres))

/** The host's `public.orders`, there before Tawsil's first migration, with a row of the host's. */
const HostDatabase = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`create table orders (id serial primary key, cart_total numeric not null, placed_by text not null)`
    yield* sql`insert into orders (cart_total, placed_by) values (42.50, 'host-customer')`
  }).pipe(Effect.orDie)
).pipe(Layer.provideMerge(CamelCaseClient))

const tablesIn = (schema: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema} order by 1`
  ).pipe(
    Effect.map((rows) => rows.map((row) => row.name)),
    Effect.orDie
  )

describe("the host's own `orders` table beside Tawsil's", () => {
  it.effect(
    "Tawsil migrates into its schema, the shop's purchase settles, the host's orders are untouched",
    () =>
      Effect.gen(function* () {
        yield* TawsilTest.scriptedProvider("acme", { check: [Script.delivered("1234-5678")] })
        yield* TawsilTest.product(shopPackageId, { mode: "auto", primary: "acme" }, "35.00")
        const purchase = yield* (yield* Shop).buy({ purchaseId: "p-1", playerId: "5551234" })
        const settled = yield* TawsilTest.awaitSettled(purchase.orderId)
        assert.strictEqual(settled.status, "approved")
        assert.strictEqual(settled.pin, "1234-5678")

        const sql = yield* SqlClient.SqlClient
        const hostOrders = yield* sql<{
          id: number
          cartTotal: string
          placedBy: string
        }>`select * from orders`
        assert.deepStrictEqual(hostOrders, [{ id: 1, cartTotal: "42.50", placedBy: "host-customer" }])
        assert.deepStrictEqual(yield* tablesIn("public"), ["orders", "shop_purchases"])
        assert.includeMembers(yield* tablesIn("tawsil"), [
          "accounts",
          "orders",
          "ledger_entries",
          "tawsil_migrations"
        ])
        const joined = yield* sql<{ orderId: string; status: string }>`
        select p.order_id, o.status from shop_purchases p join tawsil.orders o on o.id = p.order_id`
        assert.deepStrictEqual(joined, [{ orderId: purchase.orderId, status: "approved" }])
      }).pipe(Effect.provide(hostTestLayer(TawsilTest.layerWithSql(), HostDatabase)))
  )
})
