import { HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { maxBodyBytes } from "../../src/http/ErrorMapping.js"
import { orderCursor } from "../../src/orders/Cursor.js"
import {
  resellerWithBalance,
  simulatorPackageViaApi,
  testAdminToken,
  TestServerLive
} from "../support/TestServer.js"
import { Order } from "../../src/orders/Order.js"
import { errorBodyOf, errorProblems, jsonAs, send, sendOrTransportError } from "../support/RawHttp.js"

interface Context {
  readonly apiKey: string
  readonly accountId: string
}

interface Row {
  readonly name: string
  readonly request: (context: Context) => HttpClientRequest.HttpClientRequest
  readonly status: number
  readonly tag: string
  /** the `field` a 400 ValidationError must name */
  readonly field?: string
  /** other fields the error body must carry */
  readonly fields?: Record<string, unknown>
}

const pkg = "bad-pkg"
const valid = { packageId: pkg, playerId: "5551234" }

const asAccount = (context: Context) => HttpClientRequest.bearerToken(context.apiKey)
const asAdmin = HttpClientRequest.bearerToken(testAdminToken)

const createText =
  (body: string, options: { contentType?: string; headers?: Record<string, string> } = {}) =>
  (context: Context) =>
    HttpClientRequest.post("/v1/orders").pipe(
      HttpClientRequest.bodyText(body, options.contentType ?? "application/json"),
      HttpClientRequest.setHeaders(options.headers ?? {}),
      asAccount(context)
    )
const createJson = (body: unknown, headers: Record<string, string> = {}) =>
  createText(JSON.stringify(body), { headers })

const createChunked = (parts: ReadonlyArray<string>) => (context: Context) =>
  HttpClientRequest.post("/v1/orders").pipe(
    HttpClientRequest.bodyStream(Stream.fromIterable(parts).pipe(Stream.encodeText), {
      contentType: "application/json"
    }),
    asAccount(context)
  )

const list = (query: string) => (context: Context) =>
  HttpClientRequest.get(`/v1/orders${query}`).pipe(asAccount(context))

const adminJson = (method: "POST" | "PUT", path: string, body: unknown) => () =>
  HttpClientRequest.make(method)(path).pipe(
    HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
    asAdmin
  )

const invalid = (name: string, request: Row["request"], field: string): Row => ({
  name,
  request,
  status: 400,
  tag: "ValidationError",
  field
})

const chars = (n: number, c = "x") => c.repeat(n)
const tooLarge = { status: 413, tag: "PayloadTooLarge", fields: { limit: maxBodyBytes } } as const

const rows: ReadonlyArray<Row> = [
  // POST /v1/orders: the body's fields
  invalid("missing packageId", createJson({ playerId: "1" }), "packageId"),
  invalid("missing playerId", createJson({ packageId: pkg }), "playerId"),
  invalid("packageId a number", createJson({ packageId: 42, playerId: "1" }), "packageId"),
  invalid("packageId empty", createJson({ packageId: "", playerId: "1" }), "packageId"),
  invalid("packageId of 65 chars", createJson({ packageId: chars(65), playerId: "1" }), "packageId"),
  invalid("playerId empty", createJson({ ...valid, playerId: "" }), "playerId"),
  invalid("playerId blank", createJson({ ...valid, playerId: "   " }), "playerId"),
  invalid("playerId null", createJson({ ...valid, playerId: null }), "playerId"),
  invalid("playerId of 129 chars", createJson({ ...valid, playerId: chars(129) }), "playerId"),
  {
    name: "playerId of 10 MB",
    request: createJson({ ...valid, playerId: chars(10 * 1024 * 1024) }),
    ...tooLarge
  },
  invalid("extra of 257 chars", createJson({ ...valid, extra: chars(257) }), "extra"),
  invalid("extra a number", createJson({ ...valid, extra: 7 }), "extra"),
  invalid("quantity 0", createJson({ ...valid, quantity: 0 }), "quantity"),
  invalid("quantity -1", createJson({ ...valid, quantity: -1 }), "quantity"),
  invalid("quantity 1.5", createJson({ ...valid, quantity: 1.5 }), "quantity"),
  invalid("quantity 1e9", createText(`{"packageId":"${pkg}","playerId":"1","quantity":1e9}`), "quantity"),
  invalid("quantity 1001", createJson({ ...valid, quantity: 1001 }), "quantity"),
  invalid('quantity "3"', createJson({ ...valid, quantity: "3" }), "quantity"),
  {
    name: "unknown packageId",
    request: createJson({ ...valid, packageId: "no-such-package" }),
    status: 404,
    tag: "PackageNotFound",
    fields: { packageId: "no-such-package" }
  },
  // POST /v1/orders: the body as a whole
  invalid("invalid JSON", createText(`{"packageId": "${pkg}", "playerId": `), "body"),
  invalid("empty body", createText(""), "body"),
  invalid("JSON array body", createText(JSON.stringify([valid])), "body"),
  invalid("JSON null body", createText("null"), "body"),
  invalid("JSON string body", createText('"hello"'), "body"),
  {
    name: "content-type text/plain",
    request: createText(JSON.stringify(valid), { contentType: "text/plain" }),
    status: 415,
    tag: "UnsupportedMediaType"
  },
  {
    name: "content-type form-urlencoded with the right fields",
    request: createText(`packageId=${pkg}&playerId=5551234`, {
      contentType: "application/x-www-form-urlencoded"
    }),
    status: 415,
    tag: "UnsupportedMediaType"
  },
  {
    name: "content-type multipart/form-data",
    request: (context) =>
      HttpClientRequest.post("/v1/orders").pipe(
        HttpClientRequest.bodyFormDataRecord({ packageId: pkg, playerId: "5551234" }),
        asAccount(context)
      ),
    status: 415,
    tag: "UnsupportedMediaType"
  },
  { name: "body over 64 KB", request: createJson({ ...valid, pad: chars(maxBodyBytes) }), ...tooLarge },
  {
    name: "body over 64 KB, chunked (no content-length)",
    request: createChunked([`{"packageId":"${pkg}","playerId":"1","pad":"`, chars(maxBodyBytes), '"}']),
    ...tooLarge
  },
  invalid(
    "chunked body, quantity 0",
    createChunked([`{"packageId":"${pkg}",`, `"playerId":"1","quantity":0}`]),
    "quantity"
  ),
  // POST /v1/orders: the Idempotency-Key header
  invalid(
    "Idempotency-Key of 256 chars",
    createJson(valid, { "idempotency-key": chars(256) }),
    "idempotency-key"
  ),
  invalid("empty Idempotency-Key", createJson(valid, { "idempotency-key": "" }), "idempotency-key"),
  // GET /v1/orders and /v1/orders/{id}
  invalid("list ?status=bogus", list("?status=bogus"), "status"),
  invalid("list ?limit=0", list("?limit=0"), "limit"),
  invalid("list ?limit=abc", list("?limit=abc"), "limit"),
  invalid("list ?limit=201", list("?limit=201"), "limit"),
  invalid("list ?limit=1.5", list("?limit=1.5"), "limit"),
  invalid("list ?cursor=garbage", list("?cursor=garbage"), "cursor"),
  invalid("list ?cursor= (empty)", list("?cursor="), "cursor"),
  invalid(
    "list ?cursor= a cursor of another kind",
    list(`?cursor=${Buffer.from("x:12").toString("base64url")}`),
    "cursor"
  ),
  {
    name: "get an id that is not a UUID",
    request: (context) => HttpClientRequest.get("/v1/orders/not-a-uuid").pipe(asAccount(context)),
    status: 404,
    tag: "OrderNotFound"
  },
  // routing
  {
    name: "unknown route",
    request: (context) => HttpClientRequest.get("/v1/nothing-here").pipe(asAccount(context)),
    status: 404,
    tag: "NotFound"
  },
  {
    name: "unknown route without credentials",
    request: () => HttpClientRequest.get("/no/such/route"),
    status: 404,
    tag: "NotFound"
  },
  {
    name: "wrong method: DELETE /v1/orders",
    request: (context) => HttpClientRequest.del("/v1/orders").pipe(asAccount(context)),
    status: 404,
    tag: "NotFound"
  },
  {
    name: "wrong method: PUT /v1/account",
    request: (context) =>
      HttpClientRequest.put("/v1/account").pipe(
        HttpClientRequest.bodyText("{}", "application/json"),
        asAccount(context)
      ),
    status: 404,
    tag: "NotFound"
  },
  // admin inputs
  invalid(
    "create account, currency usd",
    adminJson("POST", "/v1/admin/accounts", { name: "X", currency: "usd" }),
    "currency"
  ),
  invalid(
    "create account, missing name",
    adminJson("POST", "/v1/admin/accounts", { currency: "USD" }),
    "name"
  ),
  invalid(
    "create account, blank name",
    adminJson("POST", "/v1/admin/accounts", { name: "  ", currency: "USD" }),
    "name"
  ),
  invalid(
    "create account, negative overdraft",
    adminJson("POST", "/v1/admin/accounts", { name: "X", currency: "USD", overdraftLimit: "-5.00" }),
    "overdraftLimit"
  ),
  ...[
    ["abc", '"abc"'],
    ["0", '"0"'],
    ["0.00", '"0.00"'],
    ["1.5 as a number", 1.5],
    ["12.345", '"12.345"']
  ].map(([label, amount]) =>
    invalid(
      `credit amount ${label}`,
      (context: Context) =>
        HttpClientRequest.post(`/v1/admin/accounts/${context.accountId}/credit`).pipe(
          HttpClientRequest.bodyText(`{"amount":${amount}}`, "application/json"),
          asAdmin
        ),
      "amount"
    )
  ),
  {
    name: "credit an unknown account",
    request: adminJson("POST", "/v1/admin/accounts/acc_nobody/credit", { amount: "5.00" }),
    status: 404,
    tag: "AccountNotFound"
  },
  invalid(
    "put package, auto route without primary",
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: "P",
      price: "1.00",
      currency: "USD",
      route: { mode: "auto" }
    }),
    "route.primary"
  ),
  invalid(
    "put package, route to an unknown provider",
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: "P",
      price: "1.00",
      currency: "USD",
      route: { mode: "auto", primary: "nobody" }
    }),
    "route.primary"
  ),
  invalid(
    "put package, negative price",
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: "P",
      price: "-1.00",
      currency: "USD",
      route: { mode: "manual" }
    }),
    "price"
  )
]

const snapshot = (accountId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<Record<string, unknown>>`
      select (select count(*)::int from orders) as orders,
             (select count(*)::int from ledger_entries) as ledger,
             (select count(*)::int from outbox) as outbox,
             (select count(*)::int from accounts) as accounts,
             (select json_agg(p order by p.id)::text from packages p) as packages,
             (select balance::text from accounts where id = ${accountId}) as balance`
    return rows[0]!
  }).pipe(Effect.orDie)

describe("malformed requests over HTTP", () => {
  it("the table has at least 25 rows", () => {
    assert.isAtLeast(rows.length, 25)
    assert.strictEqual(new Set(rows.map((row) => row.name)).size, rows.length)
  })

  it.layer(TestServerLive, { timeout: 120_000 })((it) => {
    it.effect("each row gets its exact error answer, and nothing is written", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi(pkg, "5.00")
        const { accountId, apiKey } = yield* resellerWithBalance("1000.00")
        const context: Context = { accountId, apiKey }
        const before = yield* snapshot(accountId)
        assert.strictEqual(before["balance"], "1000.00")

        // every row is sent before anything is asserted, so one failure lists all the rows that are wrong
        const observed = []
        const expected = []
        for (const row of rows) {
          const answer = yield* sendOrTransportError(row.request(context))
          const body = errorBodyOf(answer)
          const problems = [...errorProblems(answer)]
          if (answer.text.includes(apiKey) || answer.text.includes(testAdminToken)) problems.push("a secret")
          if (typeof body["message"] === "string" && body["message"].length === 0)
            problems.push("empty message")
          const checked = { field: row.field, ...row.fields }
          observed.push({
            row: row.name,
            status: answer.status,
            tag: body["_tag"],
            ...Object.fromEntries(Object.keys(checked).map((key) => [key, body[key]])),
            problems,
            ...(answer.status === row.status ? {} : { text: answer.text.slice(0, 300) })
          })
          expected.push({ row: row.name, status: row.status, tag: row.tag, ...checked, problems: [] })
        }
        assert.deepStrictEqual(observed, expected)

        assert.deepStrictEqual(yield* snapshot(accountId), before)
        // the same server still serves good requests
        const ok = yield* send(createJson(valid)(context))
        assert.strictEqual(ok.status, 201, ok.text)
        const chunked = yield* send(
          createChunked([`{"packageId":"${pkg}",`, `"playerId":"chunked"}`])(context)
        )
        assert.strictEqual(chunked.status, 201, chunked.text)
        assert.strictEqual(jsonAs(Order)(chunked).playerId, "chunked")
        assert.include(
          (yield* send(
            HttpClientRequest.get(`/v1/orders?cursor=${orderCursor.encode(1_000_000)}`).pipe(
              asAccount(context)
            )
          )).text,
          '"items"'
        )
      })
    )
  })
})
