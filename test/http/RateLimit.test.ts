import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { HttpClientRequest } from "effect/http"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { AccountRateLimit, makeAccountLimiter } from "../../src/http/AccountRateLimit.js"
import { AdminToken } from "../../src/http/AdminToken.js"
import { servicesLayer } from "../../src/embed/TawsilLayer.js"
import { HttpLive } from "../../src/http/Server.js"
import { expectError, postText, send } from "../support/RawHttp.js"
import { TestDatabase } from "../support/TestDatabase.js"
import { resellerWithBalance, simulatorPackageViaApi, testAdminToken } from "../support/TestServer.js"

/** The server with a small limit: 2 creates a second per account, bursts of 3. */
const limitedServer = HttpLive.pipe(
  Layer.provide(AccountRateLimit.layer({ perSecond: 2, burst: 3 })),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(
    Layer.mergeAll(
      servicesLayer().pipe(Layer.provide(NodeHttpClient.layerNodeHttp)),
      AdminToken.layer(Redacted.make(testAdminToken))
    )
  ),
  Layer.provideMerge(TestDatabase)
)

const create = (apiKey: string, playerId: string) =>
  postText("/v1/orders", JSON.stringify({ packageId: "rl-pkg", playerId }), { token: apiKey })

const statuses = (apiKey: string, count: number, prefix: string) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
    (playerId) => Effect.map(create(apiKey, playerId), (answer) => answer.status)
  )

describe("per-account rate limit on creates", () => {
  it.effect(
    "past the burst: 429 RateLimited with Retry-After; other accounts unaffected; refilled with time",
    () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("rl-pkg", "1.00")
        const a = yield* resellerWithBalance("100.00", { name: "A" })
        const b = yield* resellerWithBalance("100.00", { name: "B" })

        assert.deepStrictEqual(yield* statuses(a.apiKey, 3, "a"), [201, 201, 201])
        const refused = yield* create(a.apiKey, "a-3")
        const error = expectError(refused, 429, "RateLimited")
        assert.strictEqual(refused.headers["retry-after"], "1")
        assert.strictEqual(error["retryAfter"], 1)
        // a refused create charged nothing
        assert.strictEqual((yield* a.client.orders.account()).balance, "97.00")
        // reads are not limited, and the other account still has its whole burst
        const list = yield* send(
          HttpClientRequest.get("/v1/orders").pipe(HttpClientRequest.bearerToken(a.apiKey))
        )
        assert.strictEqual(list.status, 200)
        assert.deepStrictEqual(yield* statuses(b.apiKey, 4, "b"), [201, 201, 201, 429])

        // 2 a second: after half a second one more create, then refused again
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(yield* statuses(a.apiKey, 2, "a-later"), [201, 429])
        // a long pause refills up to the burst, not beyond
        yield* TestClock.adjust("1 hour")
        assert.deepStrictEqual(yield* statuses(a.apiKey, 4, "a-refilled"), [201, 201, 201, 429])
        assert.strictEqual((yield* a.client.orders.account()).balance, "93.00")
      }).pipe(Effect.provide(limitedServer))
  )

  it.effect(
    "settings: TAWSIL_ACCOUNT_RATE (default 100/s), TAWSIL_ACCOUNT_BURST (default twice the rate)",
    () =>
      Effect.gen(function* () {
        const read = (entries: ReadonlyArray<[string, string]>) =>
          Effect.provideService(
            AccountRateLimit.config,
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromUnknown(Object.fromEntries(entries))
          )
        assert.deepStrictEqual(yield* read([]), { perSecond: 100, burst: 200 })
        assert.deepStrictEqual(yield* read([["TAWSIL_ACCOUNT_RATE", "5"]]), { perSecond: 5, burst: 10 })
        assert.deepStrictEqual(
          yield* read([
            ["TAWSIL_ACCOUNT_RATE", "5"],
            ["TAWSIL_ACCOUNT_BURST", "7"]
          ]),
          {
            perSecond: 5,
            burst: 7
          }
        )
        assert.isTrue((yield* Effect.result(read([["TAWSIL_ACCOUNT_RATE", "-1"]])))._tag === "Failure")
        assert.isTrue((yield* Effect.result(read([["TAWSIL_ACCOUNT_BURST", "0"]])))._tag === "Failure")
      })
  )

  it.effect("0 turns the limit off", () =>
    Effect.gen(function* () {
      const limiter = yield* makeAccountLimiter.pipe(
        Effect.provide(AccountRateLimit.layer({ perSecond: 0, burst: 1 }))
      )
      for (let i = 0; i < 1000; i++) yield* limiter.take("acc_1")
    })
  )

  it.effect("the bucket of one account is its own, even among thousands", () =>
    Effect.gen(function* () {
      const limiter = yield* makeAccountLimiter.pipe(
        Effect.provide(AccountRateLimit.layer({ perSecond: 1, burst: 1 }))
      )
      yield* limiter.take("busy")
      for (let i = 0; i < 5000; i++) yield* limiter.take(`acc_${i}`)
      const again = yield* Effect.result(limiter.take("busy"))
      assert.isTrue(again._tag === "Failure" && again.failure._tag === "RateLimited")
    })
  )
})
