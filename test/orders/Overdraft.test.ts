import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { adminClient, resellerWithBalance, TestServerLive } from "../support/TestServer.js"

/** Packages at the prices the limits are probed with, on a simulator (no engine runs: orders stay queued). */
const packages = Effect.gen(function* () {
  const admin = yield* adminClient
  yield* admin.admin.putProvider({
    params: { id: "sim" },
    payload: { kind: "simulator", name: "Simulator", enabled: true, options: {} }
  })
  for (const [id, price] of [
    ["p35", "35.00"],
    ["p35-01", "35.01"],
    ["cent", "0.01"],
    ["one", "1.00"]
  ] as const) {
    yield* admin.admin.putPackage({
      params: { id },
      payload: {
        name: `Package ${id}`,
        price,
        currency: "USD",
        enabled: true,
        route: { mode: "auto", primary: "sim" },
        mappings: {}
      }
    })
  }
})

/** A reseller with `balance` and `overdraftLimit`, the packages, and its orders and balance over HTTP. */
const reseller = (balance: string, overdraftLimit: string) =>
  Effect.gen(function* () {
    yield* packages
    const { client, accountId } = yield* resellerWithBalance(balance, { overdraftLimit })
    const order = (packageId: string) =>
      client.orders.create({ payload: { packageId, playerId: "5551234", quantity: 1 }, headers: {} })
    const balanceNow = Effect.map(client.orders.account(), (account) => account.balance)
    return { client, accountId, order, balanceNow }
  })

const ledgerKinds = (accountId: string) =>
  Effect.flatMap(adminClient, (admin) =>
    Effect.map(admin.admin.ledger({ params: { id: accountId }, query: {} }), (page) =>
      page.items.map((entry) => `${entry.kind} ${entry.amount}`).reverse()
    )
  )

describe("orders: the overdraft limit (over HTTP)", () => {
  it.layer(TestServerLive)((it) => {
    it.effect("an order may take the balance to exactly -limit; one cent further is 402", () =>
      Effect.gen(function* () {
        const { client, accountId, order, balanceNow } = yield* reseller("10.00", "25.00")
        assert.strictEqual((yield* client.orders.account()).overdraftLimit, "25.00")

        const tooMuch = yield* Effect.flip(order("p35-01"))
        assert.strictEqual(tooMuch._tag, "InsufficientBalance")
        if (tooMuch._tag === "InsufficientBalance") {
          assert.strictEqual(tooMuch.balance, "10.00")
          assert.strictEqual(tooMuch.required, "35.01")
        }
        assert.strictEqual(yield* balanceNow, "10.00")

        const exactly = yield* order("p35")
        assert.strictEqual(exactly.status, "pending")
        assert.strictEqual(yield* balanceNow, "-25.00", "exactly -limit")

        const oneCentMore = yield* Effect.flip(order("cent"))
        assert.strictEqual(oneCentMore._tag, "InsufficientBalance")
        if (oneCentMore._tag === "InsufficientBalance") {
          assert.strictEqual(oneCentMore.balance, "-25.00")
          assert.strictEqual(oneCentMore.required, "0.01")
        }
        assert.strictEqual(yield* balanceNow, "-25.00")
        assert.deepStrictEqual(yield* ledgerKinds(accountId), ["credit 10.00", "debit -35.00"])
      })
    )

    it.effect("orders created concurrently (group commit) stop at exactly -limit", () =>
      Effect.gen(function* () {
        const { order, balanceNow } = yield* reseller("0.00", "5.00")
        const results = yield* Effect.all(
          Array.from({ length: 8 }, () => Effect.result(order("one"))),
          { concurrency: "unbounded" }
        )
        const created = results.filter(Result.isSuccess)
        const refused = results.filter(Result.isFailure).map((result) => result.failure._tag)
        assert.strictEqual(created.length, 5, "an account with nothing may still spend its overdraft")
        assert.deepStrictEqual(refused, ["InsufficientBalance", "InsufficientBalance", "InsufficientBalance"])
        assert.strictEqual(yield* balanceNow, "-5.00")
      })
    )

    it.effect("a correction may take the balance to exactly -limit; one cent further is 402", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { accountId, balanceNow } = yield* reseller("10.00", "25.00")
        const correct = (amount: string) =>
          admin.admin.credit({ params: { id: accountId }, payload: { amount } })

        assert.strictEqual((yield* Effect.flip(correct("-35.01")))._tag, "InsufficientBalance")
        assert.strictEqual((yield* correct("-35.00")).balance, "-25.00")
        assert.strictEqual((yield* Effect.flip(correct("-0.01")))._tag, "InsufficientBalance")
        assert.strictEqual(yield* balanceNow, "-25.00")
        assert.deepStrictEqual(yield* ledgerKinds(accountId), ["credit 10.00", "correction -35.00"])
      })
    )

    it.effect("approving a rejected order re-debits it to exactly -limit; one cent further is 402", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { accountId, order, balanceNow } = yield* reseller("10.00", "25.00")
        const created = yield* order("p35")
        yield* admin.admin.reject({ params: { id: created.id }, payload: {} })
        assert.strictEqual(yield* balanceNow, "10.00", "refunded")
        yield* admin.admin.credit({ params: { id: accountId }, payload: { amount: "-0.01" } })

        const refused = yield* Effect.flip(admin.admin.approve({ params: { id: created.id }, payload: {} }))
        assert.strictEqual(refused._tag, "InsufficientBalance")
        assert.strictEqual(yield* balanceNow, "9.99", "nothing re-debited")

        yield* admin.admin.credit({ params: { id: accountId }, payload: { amount: "0.01" } })
        const approved = yield* admin.admin.approve({ params: { id: created.id }, payload: {} })
        assert.strictEqual(approved.status, "approved")
        assert.strictEqual(yield* balanceNow, "-25.00", "exactly -limit")
        assert.deepStrictEqual(yield* ledgerKinds(accountId), [
          "credit 10.00",
          "debit -35.00",
          "refund 35.00",
          "correction -0.01",
          "credit 0.01",
          "redebit -35.00"
        ])
      })
    )
  })
})
