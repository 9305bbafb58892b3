import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { Accounts } from "../../src/orders/Accounts.js"
import { CreateOrderRequest } from "../../src/orders/Order.js"
import { Orders } from "../../src/orders/Orders.js"
import { Packages } from "../../src/orders/Packages.js"
import { ProviderConfigs } from "../../src/providers/ProviderConfigs.js"
import { fundedAccount, simulatorPackage } from "../support/Fixtures.js"
import { TestDatabase } from "../support/TestDatabase.js"

const TestLayer = Layer.mergeAll(
  Orders.Default,
  Accounts.Default,
  Packages.Default,
  ProviderConfigs.Default
).pipe(Layer.provideMerge(TestDatabase))

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
            Effect.either(
              orders.create({
                accountId: account.id,
                request: request("uc-60", `p${i}`),
                idempotencyKey: undefined
              })
            ),
          { concurrency: "unbounded" }
        )
        const ok = results.filter(Either.isRight)
        const refused = results.filter(Either.isLeft).map((r) => r.left._tag)
        assert.strictEqual(ok.length, 10)
        assert.deepStrictEqual(new Set(refused), new Set(["InsufficientBalance"]))
        assert.strictEqual((yield* (yield* Accounts).get(account.id)).balance, "0.00")
      })
    )
  })
})
