import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { resellerWithBalance, simulatorPackageViaApi, TestServerLive } from "../support/TestServer.js"
import { Order } from "../../src/orders/Order.js"
import { expectError, jsonAs, postText } from "../support/RawHttp.js"

const writesOf = (accountId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{
      orders: number
      debits: number
      outbox: number
      afters: ReadonlyArray<string>
    }>`
      select (select count(*)::int from tawsil.orders where account_id = ${accountId}) as orders,
             (select count(*)::int from tawsil.ledger_entries where account_id = ${accountId} and kind = 'debit') as debits,
             (select count(*)::int from tawsil.outbox x join tawsil.orders o on o.id = x.order_id
               where o.account_id = ${accountId}) as outbox,
             (select coalesce(array_agg(balance_after::text order by balance_after desc), '{}')
                from tawsil.ledger_entries where account_id = ${accountId} and kind = 'debit') as afters`
    return rows[0]!
  }).pipe(Effect.orDie)

/** `n` simultaneous raw creates; returns the answers in request order. */
const createMany = (apiKey: string, packageId: string, n: number) =>
  Effect.all(
    Array.from({ length: n }, (_, i) =>
      postText("/v1/orders", JSON.stringify({ packageId, playerId: `player-${i}` }), { token: apiKey })
    ),
    { concurrency: "unbounded" }
  )

describe("concurrent creates over HTTP", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("50 concurrent creates on a balance covering 10: 10 × 201, 40 × 402, nothing overdrawn", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("conc-10", "10.00")
        const { accountId, apiKey, client } = yield* resellerWithBalance("100.00")
        const answers = yield* createMany(apiKey, "conc-10", 50)

        const created = answers.filter((a) => a.status === 201)
        const refused = answers.filter((a) => a.status !== 201)
        assert.strictEqual(created.length, 10)
        assert.strictEqual(refused.length, 40)
        for (const answer of refused) {
          const error = expectError(answer, 402, "InsufficientBalance")
          // every refusal comes after the 10th debit: the balance left is always below one price
          assert.strictEqual(error["balance"], "0.00")
          assert.strictEqual(error["required"], "10.00")
        }
        const orders = created.map(jsonAs(Order))
        const ids = new Set(orders.map((o) => o.id))
        assert.strictEqual(ids.size, 10)
        assert.deepStrictEqual(new Set(orders.map((o) => o.status)), new Set(["pending"]))

        const account = yield* client.orders.account()
        assert.strictEqual(account.balance, "0.00")
        const writes = yield* writesOf(accountId)
        assert.strictEqual(writes.orders, 10)
        assert.strictEqual(writes.debits, 10)
        assert.strictEqual(writes.outbox, 10)
        // each debit saw the balance the previous one left: 90, 80, …, 0
        assert.deepStrictEqual(
          writes.afters,
          Array.from({ length: 10 }, (_, i) => `${(9 - i) * 10}.00`)
        )
        const page = yield* client.orders.list({ query: { limit: 200 } })
        assert.strictEqual(page.items.length, 10)
        assert.deepStrictEqual(new Set(page.items.map((o) => o.id)), ids)
      })
    )

    it.effect("concurrent creates on two accounts do not touch each other's balance", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("conc-two", "7.50")
        const a = yield* resellerWithBalance("37.50", { name: "A" })
        const b = yield* resellerWithBalance("22.50", { name: "B" })
        const [answersA, answersB] = yield* Effect.all(
          [createMany(a.apiKey, "conc-two", 20), createMany(b.apiKey, "conc-two", 20)],
          { concurrency: "unbounded" }
        )
        assert.strictEqual(answersA.filter((x) => x.status === 201).length, 5)
        assert.strictEqual(answersB.filter((x) => x.status === 201).length, 3)
        for (const answer of [...answersA, ...answersB].filter((x) => x.status !== 201)) {
          expectError(answer, 402, "InsufficientBalance")
        }
        assert.strictEqual((yield* a.client.orders.account()).balance, "0.00")
        assert.strictEqual((yield* b.client.orders.account()).balance, "0.00")
        assert.deepStrictEqual(yield* writesOf(a.accountId), {
          orders: 5,
          debits: 5,
          outbox: 5,
          afters: ["30.00", "22.50", "15.00", "7.50", "0.00"]
        })
        assert.strictEqual((yield* writesOf(b.accountId)).outbox, 3)
      })
    )
  })
})
