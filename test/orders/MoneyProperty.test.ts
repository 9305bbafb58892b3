import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import fc from "fast-check"
import { moneyProblems } from "../support/MoneyInvariants.js"
import { playMoney } from "../support/MoneyScenario.js"
import { scenarioArbitrary } from "../support/MoneySteps.js"
import {
  adminClient,
  resellerWithBalance,
  simulatorPackageViaApi,
  TestServerLive
} from "../support/TestServer.js"

const numRuns = 20
const seed = 20_260_611

describe("money you can trust", () => {
  it.live(
    "creates, provider answers and faults, deadlines, operator actions and restarts in any order: every balance adds up",
    () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(scenarioArbitrary(12), (steps) =>
            Effect.runPromise(Effect.asVoid(playMoney(steps)))
          ),
          { numRuns, seed, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true }
        )
      ),
    300_000
  )
})

const pendingOrder = Effect.gen(function* () {
  yield* simulatorPackageViaApi("pkg", "35.00")
  const { accountId, client } = yield* resellerWithBalance("100.00")
  const order = yield* client.orders.create({
    payload: { packageId: "pkg", playerId: "5551234", quantity: 1 },
    headers: {}
  })
  return { accountId, order }
})

describe("the money checker itself", () => {
  it.effect("a consistent database: no problem", () =>
    Effect.gen(function* () {
      const { order } = yield* pendingOrder
      yield* (yield* adminClient).admin.reject({ params: { id: order.id }, payload: {} })
      assert.deepStrictEqual(yield* moneyProblems, [])
    }).pipe(Effect.provide(TestServerLive))
  )

  it.effect("a second refund of one rejected order is reported", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const { accountId, order } = yield* pendingOrder
      yield* (yield* adminClient).admin.reject({ params: { id: order.id }, payload: {} })
      yield* sql`
        with credited as (update tawsil.accounts set balance = balance + 35 where id = ${accountId} returning balance)
        insert into tawsil.ledger_entries (account_id, kind, amount, balance_after, order_id, seq)
        select ${accountId}, 'refund', 35, balance, ${order.id}, 1 from credited`
      const problems = yield* moneyProblems
      assert.deepStrictEqual(
        problems.map((problem) =>
          problem.replace(/^account \S+:/, "account:").replace(/^order #\d+/, "order")
        ),
        [
          "account: balance 135.00 ≠ credits 100.00 − held 0.00 (100.00)",
          "order (rejected/failed): 2 refunds − 0 re-debits ≠ 1"
        ]
      )
    }).pipe(Effect.provide(TestServerLive))
  )

  it.effect("a refund the ledger does not show, and a manual order without a reason, are reported", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const { accountId, order } = yield* pendingOrder
      yield* sql`update tawsil.accounts set balance = balance + 35 where id = ${accountId}`
      yield* sql`update tawsil.orders set dispatch_state = 'manual', last_message = ' ' where id = ${order.id}`
      const problems = yield* moneyProblems
      assert.deepStrictEqual(
        problems.map((problem) =>
          problem.replace(/^account \S+:/, "account:").replace(/^order #\d+/, "order")
        ),
        [
          "account: balance 100.00 ≠ credits 100.00 − held 35.00 (65.00)",
          "account: balance 100.00 ≠ ledger sum 65.00",
          "order (pending/manual): manual without a reason"
        ]
      )
    }).pipe(Effect.provide(TestServerLive))
  )
})
