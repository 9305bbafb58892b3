import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { resellerWithBalance, simulatorPackageViaApi, TestServerLive } from "../support/TestServer.js"

describe("orders over HTTP", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("create → get → list round trip", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("pubg-60", "5.00")
        const { client } = yield* resellerWithBalance("50.00")
        const created = yield* client.orders.create({
          payload: { packageId: "pubg-60", playerId: "777", quantity: 3 },
          headers: {}
        })
        assert.strictEqual(created.status, "pending")
        assert.strictEqual(created.dispatch.state, "queued")
        assert.deepStrictEqual(created.price, { amount: "15.00", currency: "USD" })
        assert.match(created.dispatch.reference ?? "", /^\d+$/)
        const fetched = yield* client.orders.get({ params: { id: created.id } })
        assert.deepStrictEqual(fetched, created)
        const page = yield* client.orders.list({ query: {} })
        assert.deepStrictEqual(
          page.items.map((o) => o.id),
          [created.id]
        )
        assert.strictEqual(page.nextCursor, undefined)
        const account = yield* client.orders.account()
        assert.strictEqual(account.balance, "35.00")
      })
    )
  })
})
