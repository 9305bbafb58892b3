import { HttpClientRequest, HttpServer } from "effect/http"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect } from "effect"
import { request as httpRequest } from "node:http"
import {
  resellerWithBalance,
  simulatorPackageViaApi,
  testAdminToken,
  TestServerLive
} from "../support/TestServer.js"
import { expectError, send, writeSnapshot } from "../support/RawHttp.js"

const orderBody = JSON.stringify({ packageId: "auth-pkg", playerId: "p-1" })
const accountBody = JSON.stringify({ name: "Intruder", currency: "USD" })

/** Every guarded route, as a request with no credentials yet. */
const resellerRoutes = [
  HttpClientRequest.post("/v1/orders").pipe(HttpClientRequest.bodyText(orderBody, "application/json")),
  HttpClientRequest.get("/v1/orders"),
  HttpClientRequest.get("/v1/orders/00000000-0000-4000-8000-000000000000"),
  HttpClientRequest.get("/v1/account")
]
const adminRoutes = [
  HttpClientRequest.post("/v1/admin/accounts").pipe(
    HttpClientRequest.bodyText(accountBody, "application/json")
  ),
  HttpClientRequest.get("/v1/admin/orders"),
  HttpClientRequest.get("/v1/admin/providers")
]

/**
 * `POST /v1/orders` with a chunked body whose end never comes; resolves with the answer's status and text, if
 * the server answers before the body ends.
 */
const postEndlessChunkedBody = (authorization: string) =>
  Effect.flatMap(HttpServer.HttpServer, (server) =>
    Effect.callback<{ readonly status: number; readonly text: string }, Error>((resume) => {
      const port = server.address._tag === "UnixPathAddress" ? 0 : server.address.port
      const request = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/v1/orders",
          headers: { authorization, "content-type": "application/json", "transfer-encoding": "chunked" }
        },
        (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => {
            resume(
              Effect.succeed({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() })
            )
            request.destroy()
          })
        }
      )
      request.on("error", (error) => resume(Effect.fail(error)))
      request.write(`{"packageId":"auth-pkg","playerId":"`)
      return Effect.sync(() => request.destroy())
    })
  )

const describeRequest = (request: HttpClientRequest.HttpClientRequest) => `${request.method} ${request.url}`

const withAuthorization = (value: string) => HttpClientRequest.setHeader("authorization", value)

describe("authentication and authorisation over HTTP", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("missing, wrong or non-Bearer credentials: 401 Unauthorized on every guarded route", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("auth-pkg", "1.00")
        const { accountId, apiKey } = yield* resellerWithBalance("10.00")
        const before = yield* writeSnapshot(accountId)
        const credentials: ReadonlyArray<
          [string, (r: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest]
        > = [
          ["no header", (r) => r],
          ["wrong key", HttpClientRequest.bearerToken("tsk_not-a-real-key")],
          ["empty bearer", withAuthorization("Bearer ")],
          ["Basic scheme", withAuthorization("Basic xyz")],
          // a real key under another scheme is still not a Bearer credential
          ["real key, Basic scheme", withAuthorization(`Basic ${apiKey}`)],
          ["real key, no scheme", withAuthorization(apiKey)],
          // the platform strips the first 7 characters whatever they are: these would leave exactly the real key
          ["real key behind a 7-character non-Bearer prefix", withAuthorization(`Token: ${apiKey}`)],
          ["real key, Basic scheme and two spaces", withAuthorization(`Basic  ${apiKey}`)],
          [
            "admin token behind a 7-character non-Bearer prefix",
            withAuthorization(`Token: ${testAdminToken}`)
          ],
          ["admin token, Basic scheme", withAuthorization(`Basic ${testAdminToken}`)]
        ]
        for (const [label, authorize] of credentials) {
          for (const route of [...resellerRoutes, ...adminRoutes]) {
            const answer = yield* send(authorize(route))
            assert.strictEqual(answer.status, 401, `${label}: ${describeRequest(route)} → ${answer.text}`)
            expectError(answer, 401, "Unauthorized")
            assert.notInclude(answer.text, apiKey)
          }
        }
        assert.deepStrictEqual(yield* writeSnapshot(accountId), before)
      })
    )

    it.effect(
      "a chunked body is not read before authentication: a wrong key is refused while the body still comes",
      () =>
        Effect.gen(function* () {
          for (const authorization of [
            "Bearer tsk_not-a-real-key",
            `Bearer ${testAdminToken}`,
            "Basic xyz"
          ]) {
            const answer = yield* postEndlessChunkedBody(authorization).pipe(
              Effect.timeoutOrElse({
                duration: "5 seconds",
                orElse: () =>
                  Effect.fail(new Error(`${authorization}: no answer while the body was still open`))
              }),
              // real time: the server is waiting for bytes, not for the TestClock
              Effect.provideService(Clock.Clock, Clock.Clock.defaultValue())
            )
            assert.include([401, 403], answer.status, answer.text)
            assert.match(answer.text, /"_tag":"(Unauthorized|Forbidden)"/)
          }
        })
    )

    it.effect("the admin token on reseller routes: 403 Forbidden", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("auth-pkg", "1.00")
        const { accountId } = yield* resellerWithBalance("10.00")
        const before = yield* writeSnapshot(accountId)
        for (const route of resellerRoutes) {
          const answer = yield* send(HttpClientRequest.bearerToken(route, testAdminToken))
          assert.strictEqual(answer.status, 403, `${describeRequest(route)} → ${answer.text}`)
          expectError(answer, 403, "Forbidden")
          assert.notInclude(answer.text, testAdminToken)
        }
        assert.deepStrictEqual(yield* writeSnapshot(accountId), before)
      })
    )

    it.effect("an account key on admin routes: 403 Forbidden, and no account is created", () =>
      Effect.gen(function* () {
        const { accountId, apiKey } = yield* resellerWithBalance("10.00")
        const before = yield* writeSnapshot(accountId)
        for (const route of adminRoutes) {
          const answer = yield* send(HttpClientRequest.bearerToken(route, apiKey))
          assert.strictEqual(answer.status, 403, `${describeRequest(route)} → ${answer.text}`)
          expectError(answer, 403, "Forbidden")
        }
        const admin = yield* send(
          HttpClientRequest.get("/v1/admin/orders").pipe(HttpClientRequest.bearerToken(testAdminToken))
        )
        assert.strictEqual(admin.status, 200, admin.text)
        assert.deepStrictEqual(yield* writeSnapshot(accountId), before)
      })
    )

    it.effect("another account's order is 404 OrderNotFound, and never in its list", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("auth-pkg", "1.00")
        const a = yield* resellerWithBalance("10.00", { name: "A" })
        const b = yield* resellerWithBalance("10.00", { name: "B" })
        const ordersOfA = yield* Effect.all(
          [1, 2, 3].map((i) =>
            a.client.orders.create({
              payload: { packageId: "auth-pkg", playerId: `player-of-a-${i}`, quantity: 1 },
              headers: {}
            })
          )
        )
        const orderOfB = yield* b.client.orders.create({
          payload: { packageId: "auth-pkg", playerId: "player-of-b-1", quantity: 1 },
          headers: {}
        })

        for (const order of ordersOfA) {
          const answer = yield* send(
            HttpClientRequest.get(`/v1/orders/${order.id}`).pipe(HttpClientRequest.bearerToken(b.apiKey))
          )
          const error = expectError(answer, 404, "OrderNotFound")
          assert.notInclude(answer.text, order.playerId)
          assert.notInclude(answer.text, a.accountId)
          // indistinguishable from an id that does not exist at all
          const unknown = yield* send(
            HttpClientRequest.get("/v1/orders/00000000-0000-4000-8000-000000000000").pipe(
              HttpClientRequest.bearerToken(b.apiKey)
            )
          )
          assert.strictEqual(error.message, expectError(unknown, 404, "OrderNotFound").message)
          // the owner still sees it
          assert.deepStrictEqual(yield* a.client.orders.get({ params: { id: order.id } }), order)
        }

        const pageOfB = yield* b.client.orders.list({ query: {} })
        assert.deepStrictEqual(
          pageOfB.items.map((o) => o.id),
          [orderOfB.id]
        )
        const pageOfA = yield* a.client.orders.list({ query: {} })
        assert.deepStrictEqual(
          pageOfA.items.map((o) => o.id),
          ordersOfA.map((o) => o.id).reverse()
        )
        assert.strictEqual((yield* b.client.orders.account()).balance, "9.00")
        assert.strictEqual((yield* a.client.orders.account()).balance, "7.00")
      })
    )
  })
})
