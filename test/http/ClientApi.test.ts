/**
 * The Barakat-compatible client API (`/client/api/*`, src/http/client/): the same accounts, keys, balances and
 * packages as `/v1`, answered in Barakat's form; and Tawsil's own Barakat adapter pointed at it, unchanged.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Schema } from "effect"
import { HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { makeBarakatFactory } from "../../src/providers/Barakat.js"
import type { ProviderOrder } from "../../src/providers/Provider.js"
import { TawsilInstance } from "../../src/providers/TawsilChain.js"
import {
  barakatAnswer,
  chainOf,
  CheckAnswer,
  clientCall,
  expectBarakatError,
  orderAndDebitCounts,
  PlaceAnswer,
  serverUrl,
  storedInstanceId
} from "../support/ClientApiCalls.js"
import { send } from "../support/RawHttp.js"
import {
  adminClient,
  resellerWithBalance,
  simulatorPackageViaApi,
  TestServerLive
} from "../support/TestServer.js"

const Profile = Schema.Struct({ balance: Schema.String, currency: Schema.String })
const Products = Schema.Array(
  Schema.Struct({
    id: Schema.String,
    name: Schema.String,
    price: Schema.String,
    available: Schema.Boolean,
    params: Schema.Array(Schema.String),
    qty_values: Schema.Struct({ min: Schema.Number, max: Schema.Number })
  })
)

const uuid = (n: number) => `0b5e7c1a-0000-4000-8000-${String(n).padStart(12, "0")}`

const newOrder = (
  token: string,
  productId: string,
  params: Record<string, string>,
  options: { readonly method?: "GET" | "POST"; readonly headers?: Record<string, string> } = {}
) => clientCall(`newOrder/${encodeURIComponent(productId)}/params`, token, params, options)

const placed = barakatAnswer(PlaceAnswer)
const checked = barakatAnswer(CheckAnswer)

/** A reseller with `balance` USD, and the packages: `c-pubg` (5.00 USD), `c-off` (disabled), `c-eur` (EUR). */
const setup = (balance: string) =>
  Effect.gen(function* () {
    yield* simulatorPackageViaApi("c-pubg", "5.00")
    yield* simulatorPackageViaApi("c-eur", "3.00", { currency: "EUR" })
    const admin = yield* adminClient
    yield* admin.admin.putPackage({
      params: { id: "c-off" },
      payload: {
        name: "Off",
        price: "1.00",
        currency: "USD",
        enabled: false,
        route: { mode: "auto", primary: "sim" },
        mappings: {}
      }
    })
    return yield* resellerWithBalance(balance)
  })

describe("the Barakat-compatible client API", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("api-token: missing → 120, unknown or the admin token → 121 (HTTP 200, Barakat's form)", () =>
      Effect.gen(function* () {
        expectBarakatError(yield* clientCall("profile", undefined), 120)
        expectBarakatError(yield* clientCall("profile", "tsk_nope"), 121)
        expectBarakatError(yield* clientCall("products", "test-admin-token"), 121)
        expectBarakatError(yield* newOrder("tsk_nope", "c-pubg", { uid: "1" }), 121)
        expectBarakatError(yield* clientCall("check", "tsk_nope", { orders: "[]" }), 121)
      })
    )

    it.effect("profile: the account's balance; products: its enabled packages in its currency", () =>
      Effect.gen(function* () {
        const { apiKey } = yield* setup("12.50")
        const profile = barakatAnswer(Profile)(yield* clientCall("profile", apiKey))
        assert.deepStrictEqual(profile, { balance: "12.50", currency: "USD" })
        const products = barakatAnswer(Products)(yield* clientCall("products", apiKey))
        const pubg = products.find((p) => p.id === "c-pubg")
        assert.deepStrictEqual(pubg, {
          id: "c-pubg",
          name: "Package c-pubg",
          price: "5.00",
          available: true,
          params: ["uid", "extra"],
          qty_values: { min: 1, max: 1000 }
        })
        assert.isUndefined(
          products.find((p) => p.id === "c-off"),
          "a disabled package is not listed"
        )
        assert.isUndefined(
          products.find((p) => p.id === "c-eur"),
          "another currency's package is not listed"
        )
      })
    )

    it.effect(
      "newOrder: charged like POST /v1/orders; the same order_uuid again is the same order, charged once",
      () =>
        Effect.gen(function* () {
          const { apiKey, client } = yield* setup("20.00")
          const params = { qty: "2", uid: "5551234", order_uuid: uuid(1) }
          const first = placed(yield* newOrder(apiKey, "c-pubg", params))
          assert.deepInclude(first.data, { status: "wait", price: "10.00" })
          const before = yield* orderAndDebitCounts
          const again = placed(yield* newOrder(apiKey, "c-pubg", params, { method: "POST" }))
          assert.strictEqual(again.data.order_id, first.data.order_id)
          assert.deepStrictEqual(yield* orderAndDebitCounts, before, "a replay writes nothing")
          const order = yield* client.orders.get({ params: { id: first.data.order_id } })
          assert.deepInclude(order, { packageId: "c-pubg", playerId: "5551234", quantity: 2 })
          assert.strictEqual((yield* client.orders.account()).balance, "10.00")
          assert.isNull(yield* chainOf(first.data.order_id), "a caller that is no Tawsil sends no chain")
        })
    )

    it.effect("newOrder refusals carry Barakat's codes, charge nothing, and never answer a 5xx", () =>
      Effect.gen(function* () {
        const { apiKey, client } = yield* setup("6.00")
        const before = yield* orderAndDebitCounts
        const refusals: ReadonlyArray<readonly [string, Record<string, string>, number]> = [
          ["nope", { uid: "1" }, 109],
          ["c-eur", { uid: "1" }, 109],
          ["c-off", { uid: "1" }, 110],
          ["c-pubg", { uid: "1", qty: "abc" }, 105],
          ["c-pubg", { uid: "1", qty: "1.5" }, 105],
          ["c-pubg", { uid: "1", qty: "0" }, 106],
          ["c-pubg", { uid: "1", qty: "1001" }, 106],
          ["c-pubg", { qty: "1" }, 114],
          ["c-pubg", { uid: "  " }, 114],
          ["c-pubg", { uid: "a\u0001b" }, 114],
          ["c-pubg", { uid: "1", extra: "x".repeat(300) }, 114],
          ["c-pubg", { uid: "1", order_uuid: "k".repeat(300) }, 114],
          ["x".repeat(100), { uid: "1" }, 109],
          ["c-pubg", { uid: "1", qty: "2" }, 100]
        ]
        for (const [product, params, code] of refusals) {
          const message = expectBarakatError(yield* newOrder(apiKey, product, params), code)
          if (code === 100) assert.match(message, /insufficient balance/i, "BarakatParse reads the message")
        }
        const twice = yield* send(
          HttpClientRequest.get("/client/api/newOrder/c-pubg/params").pipe(
            HttpClientRequest.appendUrlParam("uid", "1"),
            HttpClientRequest.appendUrlParam("uid", "2"),
            HttpClientRequest.setHeader("api-token", apiKey)
          )
        )
        expectBarakatError(twice, 114)
        // undecodable percent-escapes: the router's 404, or a Barakat error
        for (const raw of [
          "newOrder/%ZZ/params?uid=1",
          "newOrder/c-pubg/params?uid=%ZZ&qty=%E0",
          "check?orders=%ZZ"
        ]) {
          const answer = yield* send(
            HttpClientRequest.get(`/client/api/${raw}`).pipe(HttpClientRequest.setHeader("api-token", apiKey))
          )
          assert.isBelow(answer.status, 500, `${raw}: ${answer.status} ${answer.text}`)
        }
        assert.deepStrictEqual(yield* orderAndDebitCounts, before)
        assert.strictEqual((yield* client.orders.account()).balance, "6.00")
      })
    )

    it.effect(
      "newOrder with X-Tawsil-Chain: kept with the order; this instance in it, or too long → 190",
      () =>
        Effect.gen(function* () {
          const { apiKey } = yield* setup("50.00")
          const own = (yield* storedInstanceId)!
          assert.match(own, /^tawsil-[0-9a-f]{16}$/)
          const chained = placed(
            yield* newOrder(apiKey, "c-pubg", { uid: "1" }, { headers: { "x-tawsil-chain": "tw-a, tw-b" } })
          )
          assert.deepStrictEqual(yield* chainOf(chained.data.order_id), ["tw-a", "tw-b"])

          const before = yield* orderAndDebitCounts
          const loop = yield* newOrder(
            apiKey,
            "c-pubg",
            { uid: "1" },
            { headers: { "x-tawsil-chain": `tw-a,${own}` } }
          )
          assert.match(expectBarakatError(loop, 190), /^LOOP_DETECTED/)
          const long = yield* newOrder(
            apiKey,
            "c-pubg",
            { uid: "1" },
            { headers: { "x-tawsil-chain": "a,b,c,d,e,f" } }
          )
          assert.match(expectBarakatError(long, 190), /^LOOP_DETECTED/)
          const five = placed(
            yield* newOrder(apiKey, "c-pubg", { uid: "1" }, { headers: { "x-tawsil-chain": "a,b,c,d,e" } })
          )
          assert.deepStrictEqual(yield* chainOf(five.data.order_id), ["a", "b", "c", "d", "e"])
          const malformed = yield* newOrder(
            apiKey,
            "c-pubg",
            { uid: "1" },
            { headers: { "x-tawsil-chain": "a b" } }
          )
          expectBarakatError(malformed, 114)
          const after = yield* orderAndDebitCounts
          assert.deepStrictEqual(after, { orders: before.orders + 1, debits: before.debits + 1 })
        })
    )

    it.effect(
      "check: by order_uuid (uuid=1) or by our ids; wait, then accept with the PIN or reject with the note",
      () =>
        Effect.gen(function* () {
          const { apiKey } = yield* setup("50.00")
          const other = yield* resellerWithBalance("50.00")
          const a = placed(yield* newOrder(apiKey, "c-pubg", { uid: "1", order_uuid: uuid(11) }))
          const b = placed(yield* newOrder(apiKey, "c-pubg", { uid: "2", order_uuid: uuid(12) }))
          const theirs = placed(yield* newOrder(other.apiKey, "c-pubg", { uid: "3", order_uuid: uuid(13) }))
          const byUuid = (ids: ReadonlyArray<string>) =>
            Effect.map(clientCall("check", apiKey, { orders: `[${ids.join(",")}]`, uuid: "1" }), checked)

          const waiting = yield* byUuid([uuid(12), uuid(11), uuid(13), "never-seen"])
          assert.deepStrictEqual(waiting.data, [
            { order_id: b.data.order_id, order_uuid: uuid(12), status: "wait" },
            { order_id: a.data.order_id, order_uuid: uuid(11), status: "wait" }
          ])

          const admin = yield* adminClient
          yield* admin.admin.approve({
            params: { id: a.data.order_id },
            payload: { pin: "4242-1111", note: "done" }
          })
          yield* admin.admin.reject({ params: { id: b.data.order_id }, payload: { note: "wrong player" } })
          const final = (yield* byUuid([uuid(11), uuid(12)])).data
          assert.deepInclude(final[0], { status: "accept", pin: "4242-1111" })
          assert.deepInclude(final[1], { status: "reject" })
          assert.isUndefined(final[1]?.pin)
          assert.isString(final[1]?.note)

          const byIds = checked(
            yield* clientCall("check", apiKey, {
              orders: `[${a.data.order_id},${theirs.data.order_id},not-a-uuid]`
            })
          )
          assert.deepStrictEqual(
            byIds.data.map((entry) => [entry.order_id, entry.status]),
            [[a.data.order_id, "accept"]]
          )
          expectBarakatError(yield* clientCall("check", apiKey, { orders: "nope" }), 114)
          expectBarakatError(yield* clientCall("check", apiKey, {}), 114)
          const many = Array.from({ length: 51 }, (_, i) => uuid(100 + i))
          expectBarakatError(
            yield* clientCall("check", apiKey, { orders: `[${many.join(",")}]`, uuid: "1" }),
            114
          )
          assert.deepStrictEqual(checked(yield* clientCall("check", apiKey, { orders: "[]" })).data, [])
        })
    )

    // the adapter's spacing, batch window and timeouts run on real time
    it.effect(
      "Tawsil's own Barakat adapter against it, unchanged: balance, catalogue, place → wait → accept with the PIN",
      () =>
        TestClock.withLive(
          Effect.gen(function* () {
            const { apiKey } = yield* setup("30.00")
            const own = (yield* storedInstanceId)!
            // the test server's client prefixes its own origin: the adapter gets a plain one
            const nodeHttp = yield* Layer.build(NodeHttpClient.layerNodeHttp)
            const factory = yield* makeBarakatFactory({ spacing: "1 millis", batchWindow: "1 millis" }).pipe(
              Effect.provideService(TawsilInstance, { id: "tw-upstream", chainMax: 5 }),
              Effect.provide(nodeHttp)
            )
            const client = yield* factory({
              id: "tawsil-b",
              kind: "barakat",
              name: "Tawsil B",
              base_url: yield* serverUrl,
              credentials: { apiToken: apiKey },
              options: {},
              enabled: true
            })
            assert.strictEqual((yield* client.balance).balance, "30.00")
            const catalogue = yield* client.catalogue!
            assert.deepInclude(
              catalogue.find((item) => item.sku === "c-pubg"),
              { price: "5.00", available: true }
            )

            const order: ProviderOrder = {
              orderId: uuid(21),
              reference: "260101000000000021",
              providerOrderId: undefined,
              quantity: 1,
              playerId: "5551234",
              extra: undefined,
              mapping: { sku: "c-pubg" },
              chain: ["tw-origin"]
            }
            const accepted = yield* client.place(order)
            assert.strictEqual(accepted._tag, "Accepted")
            const providerOrderId = accepted._tag === "Accepted" ? accepted.providerOrderId : undefined
            assert.isString(providerOrderId)
            assert.deepStrictEqual(yield* chainOf(providerOrderId!), ["tw-origin", "tw-upstream"])
            assert.strictEqual((yield* client.place(order))._tag, "Accepted", "a re-send is the same order")
            assert.strictEqual((yield* client.balance).balance, "25.00", "charged once")

            const tracked = { ...order, providerOrderId }
            assert.strictEqual((yield* client.check(tracked))._tag, "Pending")
            const admin = yield* adminClient
            yield* admin.admin.approve({ params: { id: providerOrderId! }, payload: { pin: "PIN-B-1" } })
            const done = yield* client.check(tracked)
            assert.deepInclude(done, { _tag: "Succeeded", pin: "PIN-B-1" })
            assert.strictEqual((yield* client.check({ ...order, orderId: uuid(22) }))._tag, "NotFound")

            const looping = yield* Effect.result(client.place({ ...order, orderId: uuid(23), chain: [own] }))
            assert.isTrue(Result.isFailure(looping))
            if (Result.isFailure(looping)) {
              assert.strictEqual(looping.failure._tag, "ProviderMisconfigured")
              assert.match(looping.failure.message, /LOOP_DETECTED/)
            }
            assert.strictEqual((yield* client.balance).balance, "25.00", "a refused loop charges nothing")
          })
        )
    )
  })
})
