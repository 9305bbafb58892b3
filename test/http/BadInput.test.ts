import { HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { maxBodyBytes } from "../../src/http/RequestFailures.js"
import { orderCursor } from "../../src/orders/Cursor.js"
import {
  resellerWithBalance,
  simulatorPackageViaApi,
  testAdminToken,
  TestServerLive
} from "../support/TestServer.js"
import { Order } from "../../src/orders/Order.js"
import {
  errorBodyOf,
  errorProblems,
  expectError,
  jsonAs,
  send,
  sendOrTransportError
} from "../support/RawHttp.js"

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

/** Text no request field may carry (a tab is allowed in notes only). */
const unsafeTexts: ReadonlyArray<readonly [string, string]> = [
  ["NUL", "a\u0000b"],
  ["BEL", "a\u0007b"],
  ["ESC", "a\u001bb"],
  ["newline", "a\nb"],
  ["DEL", "a\u007fb"],
  ["lone high surrogate", "a\ud800b"],
  ["lone low surrogate", "a\udc00b"]
]

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
const orderId = "00000000-0000-4000-8000-000000000000"
const maxInputAmount = "999999999999999.99"
const pastInputAmount = "1000000000000000.00"

const unsafeTextRows: ReadonlyArray<Row> = unsafeTexts.flatMap(([label, text]) => [
  invalid(`packageId with ${label}`, createJson({ ...valid, packageId: `bad${text}` }), "packageId"),
  invalid(`playerId with ${label}`, createJson({ ...valid, playerId: text }), "playerId"),
  invalid(`extra with ${label}`, createJson({ ...valid, extra: text }), "extra"),
  invalid(
    `create account, name with ${label}`,
    adminJson("POST", "/v1/admin/accounts", { name: text, currency: "USD" }),
    "name"
  ),
  invalid(
    `credit note with ${label}`,
    (context: Context) =>
      adminJson("POST", `/v1/admin/accounts/${context.accountId}/credit`, { amount: "1.00", note: text })(),
    "note"
  ),
  invalid(
    `approve note with ${label}`,
    adminJson("POST", `/v1/admin/orders/${orderId}/approve`, { note: text }),
    "note"
  ),
  invalid(
    `approve pin with ${label}`,
    adminJson("POST", `/v1/admin/orders/${orderId}/approve`, { pin: text }),
    "pin"
  ),
  invalid(
    `reject note with ${label}`,
    adminJson("POST", `/v1/admin/orders/${orderId}/reject`, { note: text }),
    "note"
  ),
  invalid(
    `put package, name with ${label}`,
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: text,
      price: "1.00",
      currency: "USD",
      route: { mode: "manual" }
    }),
    "name"
  ),
  invalid(
    `put package, mapping sku with ${label}`,
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: "P",
      price: "1.00",
      currency: "USD",
      route: { mode: "manual" },
      mappings: { sim: { sku: text } }
    }),
    "mappings.sim.sku"
  ),
  ...(label.includes("surrogate")
    ? [] // a URL carries bytes: invalid UTF-8 decodes to U+FFFD, never to a lone surrogate
    : [invalid(`list ?cursor= with ${label}`, list(`?cursor=${encodeURIComponent(text)}`), "cursor")])
])

const rows: ReadonlyArray<Row> = [
  ...unsafeTextRows,
  invalid(
    "playerId with a tab (allowed in notes only)",
    createJson({ ...valid, playerId: "a\tb" }),
    "playerId"
  ),
  // nesting: 32 levels reach the schema (which names the field), 33 and more are refused before parsing
  invalid(
    "playerId an array, 32 levels in all",
    createText(`{"packageId":"${pkg}","playerId":${nested(31)}}`),
    "playerId"
  ),
  invalid(
    "body nested 33 deep",
    createText(`{"packageId":"${pkg}","playerId":"1","pad":${nested(32)}}`),
    "body"
  ),
  invalid(
    "playerId nested 3,000 deep",
    createText(`{"packageId":"${pkg}","playerId":${nested(3000)}}`),
    "body"
  ),
  invalid("body an array nested 3,000 deep", createText(nested(3000)), "body"),
  invalid(
    "credit body nested 3,000 deep",
    (context: Context) =>
      HttpClientRequest.post(`/v1/admin/accounts/${context.accountId}/credit`).pipe(
        HttpClientRequest.bodyText(`{"amount":${nested(3000)}}`, "application/json"),
        asAdmin
      ),
    "body"
  ),
  // amounts: a request carries at most 15 integer digits (the columns hold 16, room for refunds)
  invalid(
    "credit amount of 16 integer digits",
    (context: Context) =>
      adminJson("POST", `/v1/admin/accounts/${context.accountId}/credit`, { amount: pastInputAmount })(),
    "amount"
  ),
  invalid(
    "create account, overdraft of 16 integer digits",
    adminJson("POST", "/v1/admin/accounts", { name: "X", currency: "USD", overdraftLimit: pastInputAmount }),
    "overdraftLimit"
  ),
  invalid(
    "put package, price of 16 integer digits",
    adminJson("PUT", `/v1/admin/packages/${pkg}`, {
      name: "P",
      price: pastInputAmount,
      currency: "USD",
      route: { mode: "manual" }
    }),
    "price"
  ),

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
    request: (context) => HttpClientRequest.delete("/v1/orders").pipe(asAccount(context)),
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
      select (select count(*)::int from tawsil.orders) as orders,
             (select count(*)::int from tawsil.ledger_entries) as ledger,
             (select count(*)::int from tawsil.outbox) as outbox,
             (select count(*)::int from tawsil.accounts) as accounts,
             (select json_agg(p order by p.id)::text from tawsil.packages p) as packages,
             (select balance::text from tawsil.accounts where id = ${accountId}) as balance`
    return rows[0]!
  }).pipe(Effect.orDie)

const full = "9999999999999999.90"

const admin = (method: "POST" | "PUT", path: string, body: unknown) => send(adminJson(method, path, body)())

const balanceOf = (accountId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ balance: string }>`select balance::text from tawsil.accounts where id = ${accountId}`.pipe(
      Effect.map((rows) => rows[0]!.balance)
    )
  )

/** GET /v1/account and the ledger page both answer 200; the balance the account shows. */
const readable = (context: Context) =>
  Effect.gen(function* () {
    const account = yield* send(HttpClientRequest.get("/v1/account").pipe(asAccount(context)))
    assert.strictEqual(account.status, 200, account.text)
    const ledger = yield* send(
      HttpClientRequest.get(`/v1/admin/accounts/${context.accountId}/ledger`).pipe(asAdmin)
    )
    assert.strictEqual(ledger.status, 200, ledger.text)
    return account.json.pipe(Option.map((json) => Reflect.get(Object(json), "balance")))
  })

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

    it.effect(
      "amounts at their limits are accepted; an order or a refund past a balance's range is a 409",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          // at the limits: the largest overdraft, price and credit a request may carry
          const withOverdraft = yield* admin("POST", "/v1/admin/accounts", {
            name: "Big overdraft",
            currency: "USD",
            overdraftLimit: maxInputAmount
          })
          assert.strictEqual(withOverdraft.status, 201, withOverdraft.text)
          const price = yield* admin("PUT", "/v1/admin/packages/max-price", {
            name: "Max price",
            price: maxInputAmount,
            currency: "USD",
            route: { mode: "manual" }
          })
          assert.strictEqual(price.status, 200, price.text)
          const { accountId, apiKey } = yield* resellerWithBalance(maxInputAmount)
          const context: Context = { accountId, apiKey }
          yield* sql`update tawsil.accounts set balance = ${full} where id = ${accountId}`
          assert.deepStrictEqual(yield* readable(context), Option.some(full))

          // an order's total past the column is refused before anything is charged
          const create = (quantity: number) =>
            send(createJson({ packageId: "max-price", playerId: "1", quantity })(context))
          expectError(yield* create(1000), 409, "BalanceOutOfRange")
          assert.strictEqual(yield* balanceOf(accountId), full)
          // ten at the largest price: exactly the balance, and its refund fits again
          const order = yield* create(10)
          assert.strictEqual(order.status, 201, order.text)
          const placed = jsonAs(Order)(order)
          assert.strictEqual(placed.price.amount, full)
          assert.strictEqual(yield* balanceOf(accountId), "0.00")
          const rejected = yield* admin("POST", `/v1/admin/orders/${placed.id}/reject`, {})
          assert.strictEqual(rejected.status, 200, rejected.text)
          assert.deepStrictEqual(yield* readable(context), Option.some(full))

          // a balance without room for a pending order's refund (written before credits kept that room): the
          // refund is refused, nothing moves, everything stays readable
          const second = yield* send(createJson({ packageId: pkg, playerId: "2" })(context))
          assert.strictEqual(second.status, 201, second.text)
          const pending = jsonAs(Order)(second)
          yield* sql`update tawsil.accounts set balance = 9999999999999999.00 where id = ${accountId}`
          const ledgerRows = yield* sql<{ n: number }>`select count(*)::int as n from tawsil.ledger_entries`
          const refused = expectError(
            yield* admin("POST", `/v1/admin/orders/${pending.id}/reject`, { note: "refund\tplease" }),
            409,
            "BalanceOutOfRange"
          )
          assert.strictEqual(refused["limit"], "9999999999999999.99")
          assert.strictEqual(yield* balanceOf(accountId), "9999999999999999.00")
          assert.deepStrictEqual(
            yield* sql<{ n: number }>`select count(*)::int as n from tawsil.ledger_entries`,
            ledgerRows
          )
          const still = yield* send(
            HttpClientRequest.get(`/v1/orders/${pending.id}`).pipe(asAccount(context))
          )
          assert.strictEqual(jsonAs(Order)(still).status, "pending")
          assert.deepStrictEqual(yield* readable(context), Option.some("9999999999999999.00"))
        }).pipe(Effect.orDie)
    )

    it.effect(
      "a credit past a balance's range, or one that leaves no room for pending refunds, is a 409",
      () =>
        Effect.gen(function* () {
          // ten top-ups of the largest amount nearly fill the column; the eleventh would pass it
          const { accountId, apiKey } = yield* resellerWithBalance("0.00")
          const context: Context = { accountId, apiKey }
          const credit = (amount: string) =>
            admin("POST", `/v1/admin/accounts/${accountId}/credit`, { amount })
          for (let i = 0; i < 10; i++) assert.strictEqual((yield* credit(maxInputAmount)).status, 200)
          assert.deepStrictEqual(yield* readable(context), Option.some(full))
          const past = expectError(yield* credit(maxInputAmount), 409, "BalanceOutOfRange")
          assert.strictEqual(past["limit"], "9999999999999999.99")
          assert.strictEqual(yield* balanceOf(accountId), full)

          // a pending order of 5.00 holds room for its refund: balance + pending orders stay within the limit
          const order = yield* send(createJson({ packageId: pkg, playerId: "3" })(context))
          assert.strictEqual(order.status, 201, order.text)
          expectError(yield* credit("0.10"), 409, "BalanceOutOfRange")
          assert.strictEqual((yield* credit("0.09")).status, 200)
          assert.strictEqual(yield* balanceOf(accountId), "9999999999999994.99")
          // a correction (negative) always passes
          assert.strictEqual((yield* credit("-1.00")).status, 200)
        }).pipe(Effect.orDie)
    )
  })
})
