import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Result } from "effect"
import { SqlClient } from "effect/sql"
import { randomUUID } from "node:crypto"
import { type Tables, TawsilTables } from "../../src/db/Tables.js"
import { AccountId } from "../../src/orders/Account.js"
import { Accounts } from "../../src/orders/Accounts.js"
import { writeIsolating } from "../../src/orders/BatchIsolation.js"
import type { IntakeCommand } from "../../src/orders/CreateOrder.js"
import { writeIntakeBatch } from "../../src/orders/IntakeBatch.js"
import { CreateOrderRequest } from "../../src/orders/Order.js"
import { Orders } from "../../src/orders/Orders.js"
import { Packages } from "../../src/orders/Packages.js"
import { ProviderConfigs } from "../../src/providers/ProviderConfigs.js"
import { fundedAccount, simulatorPackage } from "../support/Fixtures.js"
import { TestDatabase } from "../support/TestDatabase.js"

const TestLayer = Layer.mergeAll(Orders.layer, Accounts.layer, Packages.layer, ProviderConfigs.layer).pipe(
  Layer.provideMerge(TestDatabase)
)

const account = (id: string) => AccountId.make(id)

const request = (packageId: string, playerId = "player-1", quantity = 1) =>
  new CreateOrderRequest({ packageId, playerId, quantity })

describe("OrderIntake", () => {
  it.layer(TestLayer, { timeout: 60_000 })((it) => {
    it.effect("creates a pending, queued order with a frozen total price and debits the balance", () =>
      Effect.gen(function* () {
        yield* simulatorPackage("pubg-325", "35.00")
        const { account } = yield* fundedAccount("100.00")
        const created = yield* (yield* Orders).create({
          accountId: account.id,
          request: request("pubg-325", "5551234", 2),
          idempotencyKey: undefined
        })
        assert.strictEqual(created.replayed, false)
        assert.deepStrictEqual(created.order.price, { amount: "70.00", currency: "USD" })
        assert.strictEqual(created.order.status, "pending")
        assert.strictEqual(created.order.dispatch.state, "queued")
        assert.match(created.order.dispatch.reference ?? "", /^\d{18}$/)
        const after = yield* (yield* Accounts).get(account.id)
        assert.strictEqual(after.balance, "30.00")
      })
    )

    it.effect("50 concurrent creates on a balance that covers 10: exactly 10 succeed", () =>
      Effect.gen(function* () {
        yield* simulatorPackage("uc-60", "10.00")
        const { account } = yield* fundedAccount("100.00")
        const orders = yield* Orders
        const results = yield* Effect.forEach(
          Array.from({ length: 50 }, (_, i) => i),
          (i) =>
            Effect.result(
              orders.create({
                accountId: account.id,
                request: request("uc-60", `p${i}`),
                idempotencyKey: undefined
              })
            ),
          { concurrency: "unbounded" }
        )
        const ok = results.filter(Result.isSuccess)
        const refused = results.filter(Result.isFailure).map((r) => r.failure._tag)
        assert.strictEqual(ok.length, 10)
        assert.deepStrictEqual(new Set(refused), new Set(["InsufficientBalance"]))
        assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "0.00")
      })
    )

    it.effect("a create that breaks the rules is refused before it joins a batch: nothing is written", () =>
      Effect.gen(function* () {
        yield* simulatorPackage("uc-check", "1.00")
        const { account } = yield* fundedAccount("100.00")
        const orders = yield* Orders
        const sql = yield* SqlClient.SqlClient
        const count = sql<{ n: number }>`select count(*)::int as n from tawsil.orders`.pipe(
          Effect.map((r) => r[0]!.n)
        )
        const before = yield* count
        // an embedding host can build a request without the schema's checks
        const unchecked = new CreateOrderRequest(
          { packageId: "uc-check", playerId: "a\u0000b", quantity: 1 },
          { disableChecks: true }
        )
        const refused = yield* Effect.flip(
          orders.create({ accountId: account.id, request: unchecked, idempotencyKey: undefined })
        )
        assert.strictEqual(refused._tag, "ValidationError")
        assert.strictEqual(refused._tag === "ValidationError" ? refused.field : "", "playerId")
        const badKey = yield* Effect.flip(
          orders.create({ accountId: account.id, request: request("uc-check"), idempotencyKey: "k\u0007" })
        )
        assert.strictEqual(badKey._tag === "ValidationError" ? badKey.field : badKey._tag, "idempotency-key")
        assert.strictEqual(yield* count, before)
        assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "100.00")
      })
    )

    const batchOf = (accountId: string, packageId: string, playerIds: ReadonlyArray<string>) =>
      playerIds.map((playerId): IntakeCommand => ({
        accountId: account(accountId),
        request: request(packageId, playerId),
        idempotencyKey: undefined,
        orderId: randomUUID()
      }))

    /** The real intake transaction, recording the size of every batch written. */
    const recordingWrite =
      (sql: SqlClient.SqlClient, t: Tables, sizes: Array<number>) =>
      (commands: ReadonlyArray<IntakeCommand>) => {
        sizes.push(commands.length)
        return sql.withTransaction(writeIntakeBatch(t, commands, null)).pipe(
          Effect.map(({ results }) => results),
          Effect.provideService(SqlClient.SqlClient, sql)
        )
      }

    it.effect("a batch with one failing command that Postgres names commits the others in one retry", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* simulatorPackage("uc-named", "1.00")
        const { account: funded } = yield* fundedAccount("100.00")
        const players = Array.from({ length: 64 }, (_, i) => (i === 37 ? "poison" : `p${i}`))
        const sizes: Array<number> = []
        yield* sql`alter table tawsil.orders add constraint no_poison check (player_id <> 'poison')`
        const exits = yield* writeIsolating(recordingWrite(sql, yield* TawsilTables, sizes))(
          batchOf(funded.id, "uc-named", players)
        ).pipe(Effect.ensuring(Effect.orDie(sql`alter table tawsil.orders drop constraint no_poison`)))
        assert.deepStrictEqual(sizes, [64, 63, 1])
        assert.deepStrictEqual(
          exits.map((exit, i) => [players[i], Exit.isSuccess(exit) && Result.isSuccess(exit.value)]),
          players.map((player) => [player, player !== "poison"])
        )
        assert.strictEqual((yield* (yield* Accounts).get(funded.id)).balance, "37.00")
      })
    )

    it.effect("a batch whose failing command is not named is halved, not written order by order", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* simulatorPackage("uc-halved", "1.00")
        const { account: funded } = yield* fundedAccount("100.00")
        const players = Array.from({ length: 8 }, (_, i) => (i === 5 ? "poison" : `p${i}`))
        const sizes: Array<number> = []
        yield* sql`create function refuse_poison() returns trigger language plpgsql as $$
          begin if new.player_id = 'poison' then raise exception 'poisoned order'; end if; return new; end $$`
        yield* sql`create trigger refuse_poison before insert on tawsil.orders for each row execute function refuse_poison()`
        const exits = yield* writeIsolating(recordingWrite(sql, yield* TawsilTables, sizes))(
          batchOf(funded.id, "uc-halved", players)
        ).pipe(
          Effect.ensuring(
            // one statement per query (the v4 client speaks the extended protocol only)
            Effect.orDie(
              Effect.andThen(
                sql`drop trigger refuse_poison on tawsil.orders`,
                sql`drop function refuse_poison()`
              )
            )
          )
        )
        // 8 fails → 4 ok, 4 fails → 2 fails → 1 ok, 1 fails; 2 ok
        assert.deepStrictEqual(sizes, [8, 4, 4, 2, 1, 1, 2])
        assert.deepStrictEqual(
          exits.map((exit) => Exit.isSuccess(exit)),
          players.map((player) => player !== "poison")
        )
        assert.strictEqual((yield* (yield* Accounts).get(funded.id)).balance, "93.00")
      })
    )

    it.effect("a failure of the database itself fails the whole batch at once, with no retries", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* simulatorPackage("uc-down", "1.00")
        const { account: funded } = yield* fundedAccount("100.00")
        const sizes: Array<number> = []
        yield* sql`create function database_gone() returns trigger language plpgsql as $$
          begin raise exception 'connection lost' using errcode = 'connection_failure'; end $$`
        yield* sql`create trigger database_gone before insert on tawsil.orders for each row execute function database_gone()`
        const exits = yield* writeIsolating(recordingWrite(sql, yield* TawsilTables, sizes))(
          batchOf(funded.id, "uc-down", ["a", "b", "c", "d"])
        ).pipe(
          Effect.ensuring(
            Effect.orDie(
              Effect.andThen(
                sql`drop trigger database_gone on tawsil.orders`,
                sql`drop function database_gone()`
              )
            )
          )
        )
        assert.deepStrictEqual(sizes, [4])
        assert.deepStrictEqual(
          exits.map((exit) => Exit.isFailure(exit)),
          [true, true, true, true]
        )
        assert.strictEqual((yield* (yield* Accounts).get(funded.id)).balance, "100.00")
      })
    )
  })
})
