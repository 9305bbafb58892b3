import { assert } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { HttpClientRequest, HttpServer } from "effect/http"
import { SqlClient } from "effect/sql"
import { type RawAnswer, send } from "./RawHttp.js"

/** A call of the Barakat-compatible client API on the test server, `api-token` given unless undefined. */
export const clientCall = (
  path: string,
  token: string | undefined,
  params: Record<string, string> = {},
  options: { readonly method?: "GET" | "POST"; readonly headers?: Record<string, string> } = {}
) =>
  send(
    (options.method === "POST" ? HttpClientRequest.post : HttpClientRequest.get)(`/client/api/${path}`).pipe(
      HttpClientRequest.setUrlParams(params),
      HttpClientRequest.setHeaders({
        ...(token === undefined ? {} : { "api-token": token }),
        ...options.headers
      })
    )
  )

/** The answers of the client API, as a Barakat client reads them. */
export const ErrorAnswer = Schema.Struct({
  status: Schema.Literal("ERROR"),
  code: Schema.Number,
  message: Schema.String
})
export const PlaceAnswer = Schema.Struct({
  status: Schema.Literal("OK"),
  data: Schema.Struct({ order_id: Schema.String, status: Schema.String, price: Schema.String })
})
export const CheckAnswer = Schema.Struct({
  status: Schema.Literal("OK"),
  data: Schema.Array(
    Schema.Struct({
      order_id: Schema.String,
      order_uuid: Schema.optionalKey(Schema.String),
      status: Schema.String,
      pin: Schema.optionalKey(Schema.String),
      note: Schema.optionalKey(Schema.String)
    })
  )
})

/** The answer's JSON body decoded with `schema`, after checking Barakat's way of answering: HTTP 200, JSON. */
export const barakatAnswer =
  <A, I>(schema: Schema.Codec<A, I>) =>
  (answer: RawAnswer): A => {
    assert.strictEqual(answer.status, 200, answer.text.slice(0, 300))
    assert.match(answer.headers["content-type"] ?? "", /^application\/json/)
    return Schema.decodeUnknownSync(schema)(Option.getOrThrow(answer.json))
  }

/** Asserts a Barakat error answer with `code`; returns its message. */
export const expectBarakatError = (answer: RawAnswer, code: number): string => {
  const body = barakatAnswer(ErrorAnswer)(answer)
  assert.strictEqual(body.code, code, answer.text)
  return body.message
}

/** The server's own base URL, for an adapter that calls it over real HTTP. */
export const serverUrl = Effect.map(HttpServer.HttpServer, ({ address }) =>
  address._tag === "UnixPathAddress" ? "http://unix-socket" : `http://127.0.0.1:${address.port}`
)

/** The instance id the database keeps (generated at first start). */
export const storedInstanceId = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ id: string }>`select value->>'id' as id from tawsil.settings where key = 'instance'`.pipe(
    Effect.map((rows) => rows[0]?.id),
    Effect.orDie
  )
)

/** The chain stored with an order. */
export const chainOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ chain: ReadonlyArray<string> | null }>`select chain from tawsil.orders where id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]?.chain ?? null),
      Effect.orDie
    )
  )

/** How many orders, and how many debits, the database holds. */
export const orderAndDebitCounts = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ orders: number; debits: number }>`
    select (select count(*)::int from tawsil.orders) as orders,
           (select count(*)::int from tawsil.ledger_entries where kind = 'debit') as debits`.pipe(
    Effect.map((rows) => rows[0]!),
    Effect.orDie
  )
)
