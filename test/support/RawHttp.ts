import { assert } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { Headers, HttpClient, HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"

/** What came back from a raw request: the status, the headers, the text and the JSON value (if it parsed). */
export interface RawAnswer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string
  readonly json: Option.Option<unknown>
}

const parseJson = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Unknown))

const exchange = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const text = yield* response.text
    const answer: RawAnswer = {
      status: response.status,
      headers: response.headers,
      text,
      json: parseJson(text)
    }
    return answer
  })

/** Sends a request as-is through the test server's HttpClient (relative URLs), whatever the status. */
export const send = (request: HttpClientRequest.HttpClientRequest) => Effect.orDie(exchange(request))

/** Like `send`, but a transport failure (reset, hang-up) is an answer with status 0 and the error as text. */
export const sendOrTransportError = (request: HttpClientRequest.HttpClientRequest) =>
  exchange(request).pipe(
    Effect.catch((error) =>
      Effect.succeed<RawAnswer>({
        status: 0,
        headers: Headers.empty,
        text: `${error.message}: ${error.cause instanceof Error ? error.cause.message : "no cause"}`,
        json: Option.none()
      })
    )
  )

/** `POST path` with a JSON text body sent byte for byte (not re-encoded), optionally authenticated. */
export const postText = (
  path: string,
  body: string,
  options: {
    readonly token?: string
    readonly headers?: Record<string, string>
    readonly contentType?: string
  } = {}
) =>
  send(
    HttpClientRequest.post(path).pipe(
      HttpClientRequest.bodyText(body, options.contentType ?? "application/json"),
      HttpClientRequest.setHeaders(options.headers ?? {}),
      options.token === undefined ? (r) => r : HttpClientRequest.bearerToken(options.token)
    )
  )

/** The answer's JSON body decoded with `schema` (throws, failing the test, when it does not fit). */
export const jsonAs =
  <A, I>(schema: Schema.Codec<A, I>) =>
  (answer: RawAnswer): A =>
    Schema.decodeUnknownSync(schema)(Option.getOrThrow(answer.json))

/** Every error answer of the contract: `{ _tag, message, ...fields }`. */
export const ErrorBody = Schema.StructWithRest(
  Schema.Struct({ _tag: Schema.String, message: Schema.String }),
  [Schema.Record(Schema.String, Schema.Unknown)]
)
export type ErrorBody = typeof ErrorBody.Type

const stackTrace = /(\.(ts|js|mjs|cjs):\d+)|(\n\s*at \S)|(\bat (async )?[\w$.<>]+ \()/
const sqlText =
  /\b(select\s.+\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|SqlError|violates|relation ")/i

/** What is wrong with an answer as an error answer of the contract (empty when nothing is). */
export const errorProblems = (answer: RawAnswer): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const contentType = answer.headers["content-type"] ?? ""
  if (!/^application\/json/.test(contentType)) problems.push(`content-type ${contentType || "missing"}`)
  if (Option.isNone(Option.flatMap(answer.json, Schema.decodeUnknownOption(ErrorBody)))) {
    problems.push("not a { _tag, message } JSON body")
  }
  if (stackTrace.test(answer.text)) problems.push("stack trace in the body")
  if (sqlText.test(answer.text)) problems.push("SQL in the body")
  return problems
}

/** Asserts the answer carries no stack trace and no SQL. */
export const assertNoLeak = (answer: RawAnswer) => {
  assert.notMatch(answer.text, stackTrace, `stack trace in answer: ${answer.text.slice(0, 500)}`)
  assert.notMatch(answer.text, sqlText, `SQL in answer: ${answer.text.slice(0, 500)}`)
}

/** The answer's error body, or an empty record when it has none. */
export const errorBodyOf = (answer: RawAnswer): Record<string, unknown> =>
  Option.getOrElse(Option.flatMap(answer.json, Schema.decodeUnknownOption(ErrorBody)), () => ({}))

/** Asserts an error answer: exact status and `_tag`, a JSON content type, a message, no leaks. Returns the body. */
export const expectError = (answer: RawAnswer, status: number, tag: string): ErrorBody => {
  const summary = `${answer.status} ${answer.text.slice(0, 300)}`
  assert.strictEqual(answer.status, status, summary)
  assert.deepStrictEqual(errorProblems(answer), [], summary)
  const error = Schema.decodeUnknownSync(ErrorBody)(Option.getOrThrow(answer.json))
  assert.strictEqual(error._tag, tag, summary)
  assert.isAbove(error.message.length, 0, summary)
  return error
}

/** Row counts of everything an order create writes, plus one account's balance. */
export const writeSnapshot = (accountId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ orders: number; ledger: number; outbox: number; balance: string }>`
      select (select count(*)::int from tawsil.orders) as orders,
             (select count(*)::int from tawsil.ledger_entries) as ledger,
             (select count(*)::int from tawsil.outbox) as outbox,
             (select balance::text from tawsil.accounts where id = ${accountId}) as balance`
    return rows[0]!
  }).pipe(Effect.orDie)
