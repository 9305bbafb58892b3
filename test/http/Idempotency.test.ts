import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Order } from "../../src/orders/Order.js"
import {
  adminClient,
  resellerWithBalance,
  simulatorPackageViaApi,
  TestServerLive
} from "../support/TestServer.js"
import { expectError, jsonAs, postText, type RawAnswer } from "../support/RawHttp.js"

const ordersWithKey = (accountId: string, key: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: string }>`
      select id from tawsil.orders where account_id = ${accountId} and idempotency_key = ${key}`
    return rows.map((row) => row.id)
  }).pipe(Effect.orDie)

const debitCount = (accountId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`
      select count(*)::int as n from tawsil.ledger_entries where account_id = ${accountId} and kind = 'debit'`
    return rows[0]!.n
  }).pipe(Effect.orDie)

const orderIdOf = (answer: RawAnswer) => jsonAs(Order)(answer).id

describe("Idempotency-Key over HTTP", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("same key and body: the same order, 201, Idempotent-Replayed, one debit", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("idem-a", "5.00")
        const { accountId, client } = yield* resellerWithBalance("50.00")
        const call = client.orders.create({
          payload: { packageId: "idem-a", playerId: "p-1", quantity: 2 },
          headers: { "idempotency-key": "key-1" },
          responseMode: "decoded-and-response"
        })
        const [first, firstResponse] = yield* call
        const [second, secondResponse] = yield* call
        assert.strictEqual(firstResponse.status, 201)
        assert.strictEqual(firstResponse.headers["idempotent-replayed"], undefined)
        assert.strictEqual(secondResponse.status, 201)
        assert.strictEqual(secondResponse.headers["idempotent-replayed"], "true")
        assert.deepStrictEqual(second, first)
        assert.strictEqual((yield* client.orders.account()).balance, "40.00")
        assert.deepStrictEqual(yield* ordersWithKey(accountId, "key-1"), [first.id])
        assert.strictEqual(yield* debitCount(accountId), 1)
      })
    )

    it.effect("same key, same JSON value with other key order, whitespace and defaults: a replay", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("idem-b", "5.00")
        const { accountId, apiKey, client } = yield* resellerWithBalance("50.00")
        const headers = { "Idempotency-Key": "key-json" }
        const first = yield* postText("/v1/orders", '{"packageId":"idem-b","playerId":"p-2"}', {
          token: apiKey,
          headers
        })
        const second = yield* postText(
          "/v1/orders",
          '\n  {  "quantity" : 1 ,\n\t"playerId": "p-2",   "packageId" :"idem-b" }  \n',
          { token: apiKey, headers }
        )
        assert.strictEqual(first.status, 201, first.text)
        assert.strictEqual(first.headers["idempotent-replayed"], undefined)
        assert.strictEqual(second.status, 201, second.text)
        assert.strictEqual(second.headers["idempotent-replayed"], "true")
        assert.strictEqual(orderIdOf(second), orderIdOf(first))
        assert.deepStrictEqual(second.json, first.json)
        assert.strictEqual((yield* client.orders.account()).balance, "45.00")
        assert.strictEqual(yield* debitCount(accountId), 1)
      })
    )

    it.effect("same key, another body: 409 IdempotencyKeyReused, nothing more written", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("idem-c", "5.00")
        const { accountId, apiKey, client } = yield* resellerWithBalance("50.00")
        const headers = { "Idempotency-Key": "key-reused" }
        const first = yield* postText("/v1/orders", '{"packageId":"idem-c","playerId":"p-3"}', {
          token: apiKey,
          headers
        })
        assert.strictEqual(first.status, 201, first.text)
        for (const body of [
          '{"packageId":"idem-c","playerId":"p-other"}',
          '{"packageId":"idem-c","playerId":"p-3","quantity":2}',
          '{"packageId":"idem-c","playerId":"p-3","extra":"eu"}'
        ]) {
          const answer = yield* postText("/v1/orders", body, { token: apiKey, headers })
          expectError(answer, 409, "IdempotencyKeyReused")
          assert.strictEqual(answer.headers["idempotent-replayed"], undefined)
        }
        assert.deepStrictEqual(yield* ordersWithKey(accountId, "key-reused"), [orderIdOf(first)])
        assert.strictEqual((yield* client.orders.account()).balance, "45.00")
        assert.strictEqual(yield* debitCount(accountId), 1)
      })
    )

    it.effect("a 402 is not stored: after a top-up the same key creates the order", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("idem-d", "30.00")
        const { accountId, client } = yield* resellerWithBalance("10.00")
        const call = client.orders.create({
          payload: { packageId: "idem-d", playerId: "p-4", quantity: 1 },
          headers: { "idempotency-key": "key-402" },
          responseMode: "decoded-and-response"
        })
        const refused = yield* Effect.flip(call)
        assert.strictEqual(refused._tag, "InsufficientBalance")
        assert.deepStrictEqual(yield* ordersWithKey(accountId, "key-402"), [])
        const admin = yield* adminClient
        yield* admin.admin.credit({ params: { id: accountId }, payload: { amount: "25.00" } })
        const [created, createdResponse] = yield* call
        assert.strictEqual(createdResponse.status, 201)
        assert.strictEqual(createdResponse.headers["idempotent-replayed"], undefined)
        const [replayed, replayedResponse] = yield* call
        assert.strictEqual(replayedResponse.headers["idempotent-replayed"], "true")
        assert.strictEqual(replayed.id, created.id)
        assert.strictEqual((yield* client.orders.account()).balance, "5.00")
        assert.strictEqual(yield* debitCount(accountId), 1)
      })
    )

    it.effect("a 404 PackageNotFound is not stored: once the package exists the same key succeeds", () =>
      Effect.gen(function* () {
        const { accountId, client } = yield* resellerWithBalance("50.00")
        const call = client.orders.create({
          payload: { packageId: "idem-late", playerId: "p-5", quantity: 1 },
          headers: { "idempotency-key": "key-404" }
        })
        assert.strictEqual((yield* Effect.flip(call))._tag, "PackageNotFound")
        yield* simulatorPackageViaApi("idem-late", "5.00")
        const created = yield* call
        assert.deepStrictEqual(yield* ordersWithKey(accountId, "key-404"), [created.id])
      })
    )

    for (const n of [2, 10]) {
      it.effect(`${n} concurrent requests with one key: one order, every answer names it`, () =>
        Effect.gen(function* () {
          yield* simulatorPackageViaApi(`idem-conc-${n}`, "1.00")
          const { accountId, client } = yield* resellerWithBalance("100.00")
          const answers = yield* Effect.all(
            Array.from({ length: n }, () =>
              client.orders.create({
                payload: { packageId: `idem-conc-${n}`, playerId: "p-6", quantity: 1 },
                headers: { "idempotency-key": "key-race" },
                responseMode: "decoded-and-response"
              })
            ),
            { concurrency: "unbounded" }
          )
          const ids = new Set(answers.map(([order]) => order.id))
          assert.strictEqual(ids.size, 1)
          assert.deepStrictEqual(
            answers.map(([, response]) => response.status),
            Array(n).fill(201)
          )
          const fresh = answers.filter(([, response]) => response.headers["idempotent-replayed"] !== "true")
          assert.strictEqual(fresh.length, 1, "exactly one answer is the original create")
          assert.deepStrictEqual(yield* ordersWithKey(accountId, "key-race"), [...ids])
          assert.strictEqual(yield* debitCount(accountId), 1)
          assert.strictEqual((yield* client.orders.account()).balance, "99.00")
        })
      )
    }

    it.effect("keys are scoped to the account: two accounts, one key, two orders", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("idem-e", "5.00")
        const a = yield* resellerWithBalance("50.00", { name: "A" })
        const b = yield* resellerWithBalance("50.00", { name: "B" })
        const request = {
          payload: { packageId: "idem-e", playerId: "p-7", quantity: 1 },
          headers: { "idempotency-key": "shared-key" },
          responseMode: "decoded-and-response"
        } as const
        const [orderA, responseA] = yield* a.client.orders.create(request)
        const [orderB, responseB] = yield* b.client.orders.create(request)
        assert.notStrictEqual(orderA.id, orderB.id)
        assert.strictEqual(responseA.headers["idempotent-replayed"], undefined)
        assert.strictEqual(responseB.headers["idempotent-replayed"], undefined)
        assert.deepStrictEqual(yield* ordersWithKey(a.accountId, "shared-key"), [orderA.id])
        assert.deepStrictEqual(yield* ordersWithKey(b.accountId, "shared-key"), [orderB.id])
        assert.strictEqual((yield* a.client.orders.account()).balance, "45.00")
        assert.strictEqual((yield* b.client.orders.account()).balance, "45.00")
      })
    )
  })
})
