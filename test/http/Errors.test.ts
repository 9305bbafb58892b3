import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer, Logger, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import { MigrationsLive } from "../../src/db/Migrations.js"
import { AdminToken } from "../../src/http/AdminToken.js"
import { servicesLayer } from "../../src/embed/TawsilLayer.js"
import { HttpLive } from "../../src/http/Server.js"
import { jsonLogger } from "../../src/observability/Logging.js"
import { errorProblems, expectError, postText, send } from "../support/RawHttp.js"
import { resellerWithBalance, simulatorPackageViaApi, testAdminToken } from "../support/TestServer.js"

/** Statements on the test run's Postgres server itself (not on the suite's database). */
const onServer = (statement: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(statement)
  }).pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(inject("pgUrl")), maxConnections: 1 })),
    Effect.orDie
  )

/** A fresh, migrated database named `name`, which the test can take away and give back. */
const databaseNamed = (name: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      yield* onServer(`create database ${name}`)
      const url = new URL(inject("pgUrl"))
      url.pathname = `/${name}`
      return MigrationsLive.pipe(
        Layer.provideMerge(PgClient.layer({ url: Redacted.make(url.toString()), maxConnections: 5 }))
      )
    })
  )

const serverOn = (name: string) =>
  HttpLive.pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(
      Layer.mergeAll(
        servicesLayer().pipe(Layer.provide(NodeHttpClient.layerNodeHttp)),
        AdminToken.layer(Redacted.make(testAdminToken))
      )
    ),
    Layer.provideMerge(databaseNamed(name))
  )

/** Nobody can reach the database: new connections refused, open ones cut. */
const takeDatabaseAway = (name: string) =>
  Effect.gen(function* () {
    yield* onServer(`alter database ${name} allow_connections false`)
    yield* onServer(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`
    )
  })

const giveDatabaseBack = (name: string) => onServer(`alter database ${name} allow_connections true`)

/** The JSON logger, writing into `lines` instead of the console. */
const capture = (lines: Array<string>) =>
  Logger.layer([Logger.map(jsonLogger, (line) => void lines.push(line)), Logger.tracerLogger])

const parse = (lines: ReadonlyArray<string>) =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>)

const withToken = (token: string) => HttpClientRequest.bearerToken(token)

const freshName = () => `t_${randomBytes(6).toString("hex")}`

describe("error answers", () => {
  it.live(
    "a defect: 500 InternalError with a requestId that finds one ERROR log line holding the cause",
    () => {
      const lines: Array<string> = []
      const name = freshName()
      return Effect.gen(function* () {
        const { apiKey } = yield* resellerWithBalance("10.00")
        const sql = yield* SqlClient.SqlClient
        yield* sql`alter table tawsil.accounts rename to accounts_moved`.pipe(Effect.orDie)
        const answer = yield* send(HttpClientRequest.get("/v1/account").pipe(withToken(apiKey)))
        yield* sql`alter table tawsil.accounts_moved rename to accounts`.pipe(Effect.orDie)

        const error = expectError(answer, 500, "InternalError")
        const requestId = error["requestId"]
        assert.isString(requestId)
        assert.strictEqual(answer.headers["x-request-id"], requestId)
        assert.notInclude(answer.text, "accounts")
        const logged = parse(lines).filter(
          (line) => line["requestId"] === requestId && line["level"] === "ERROR"
        )
        assert.strictEqual(logged.length, 1, lines.join("\n"))
        assert.include(JSON.stringify(logged[0]!["cause"]), 'relation \\"tawsil.accounts\\" does not exist')

        // the same request once the table is back: fine again
        const again = yield* send(HttpClientRequest.get("/v1/account").pipe(withToken(apiKey)))
        assert.strictEqual(again.status, 200, again.text)
      }).pipe(Effect.provide(serverOn(name)), Effect.provide(capture(lines)))
    }
  )

  it.live(
    "X-Request-Id: a well-formed one is echoed, anything else replaced, every answer carries one",
    () => {
      const lines: Array<string> = []
      return Effect.gen(function* () {
        const echoed = yield* send(
          HttpClientRequest.get("/healthz").pipe(
            HttpClientRequest.setHeader("x-request-id", "caller:42.a_b-c")
          )
        )
        assert.strictEqual(echoed.headers["x-request-id"], "caller:42.a_b-c")
        for (const bad of ["has space", "x".repeat(129), "<script>", "ünï"]) {
          const answer = yield* send(
            HttpClientRequest.get("/healthz").pipe(HttpClientRequest.setHeader("x-request-id", bad))
          )
          const id = answer.headers["x-request-id"]
          assert.isString(id)
          assert.notStrictEqual(id, bad)
          assert.match(id!, /^[A-Za-z0-9._:-]{1,128}$/)
        }
        const first = yield* send(HttpClientRequest.get("/healthz"))
        const second = yield* send(HttpClientRequest.get("/healthz"))
        assert.isString(first.headers["x-request-id"])
        assert.notStrictEqual(first.headers["x-request-id"], second.headers["x-request-id"])
        const unauthorized = yield* send(HttpClientRequest.get("/v1/account"))
        expectError(unauthorized, 401, "Unauthorized")
        assert.isString(unauthorized.headers["x-request-id"])
        const notFound = yield* send(HttpClientRequest.get("/nowhere"))
        expectError(notFound, 404, "NotFound")
        assert.isString(notFound.headers["x-request-id"])

        // the log lines written while a request runs carry its id
        yield* simulatorPackageViaApi("rid-pkg", "1.00")
        const { apiKey } = yield* resellerWithBalance("10.00")
        const created = yield* postText(
          "/v1/orders",
          JSON.stringify({ packageId: "rid-pkg", playerId: "p" }),
          {
            token: apiKey,
            headers: { "x-request-id": "create-1" }
          }
        )
        assert.strictEqual(created.status, 201, created.text)
        const logged = parse(lines).filter((line) => line["message"] === "order created")
        assert.deepStrictEqual(
          logged.map((line) => line["requestId"]),
          ["create-1"]
        )
      }).pipe(Effect.provide(serverOn(freshName())), Effect.provide(capture(lines)))
    }
  )

  it.live("a body nested 3,000 deep gets a tagged answer, never an empty 500", () =>
    Effect.gen(function* () {
      const { apiKey } = yield* resellerWithBalance("10.00")
      const deep = "[".repeat(3000) + "]".repeat(3000)
      for (const body of [
        `{"packageId":"p","playerId":"x","extra":${deep}}`,
        `{"packageId":"p","playerId":${deep}}`,
        deep
      ]) {
        const answer = yield* postText("/v1/orders", body, { token: apiKey })
        assert.deepStrictEqual(errorProblems(answer), [], `${answer.status} ${answer.text.slice(0, 200)}`)
        assert.include([400, 500], answer.status, answer.text)
      }
    }).pipe(Effect.provide(serverOn(freshName())))
  )

  it.live(
    "database unreachable: 503 ServiceUnavailable with Retry-After, never 500; right again as soon as it is back",
    () => {
      const name = freshName()
      return Effect.gen(function* () {
        yield* simulatorPackageViaApi("err-pkg", "1.00")
        const { apiKey } = yield* resellerWithBalance("10.00")
        const other = yield* resellerWithBalance("10.00", { name: "Other" })
        // the key is known (and remembered) from before the outage
        assert.strictEqual(
          (yield* send(HttpClientRequest.get("/v1/account").pipe(withToken(apiKey)))).status,
          200
        )
        const order = JSON.stringify({ packageId: "err-pkg", playerId: "p-1" })

        yield* takeDatabaseAway(name)
        const during = [
          yield* postText("/v1/orders", order, { token: apiKey }),
          yield* send(HttpClientRequest.get("/v1/orders").pipe(withToken(apiKey))),
          // keys first seen during the outage: a known one and an unknown one
          yield* send(HttpClientRequest.get("/v1/orders").pipe(withToken(other.apiKey))),
          yield* send(HttpClientRequest.get("/v1/account").pipe(withToken("tsk_unknown-key"))),
          yield* send(HttpClientRequest.get("/v1/admin/orders").pipe(withToken(testAdminToken)))
        ]
        for (const answer of during) {
          expectError(answer, 503, "ServiceUnavailable")
          assert.match(answer.headers["retry-after"] ?? "", /^[1-9][0-9]*$/)
        }

        yield* giveDatabaseBack(name)
        const started = yield* Clock.currentTimeMillis
        const unknown = yield* send(HttpClientRequest.get("/v1/account").pipe(withToken("tsk_unknown-key")))
        expectError(unknown, 401, "Unauthorized")
        const known = yield* send(HttpClientRequest.get("/v1/orders").pipe(withToken(other.apiKey)))
        assert.strictEqual(known.status, 200, known.text)
        const created = yield* postText("/v1/orders", order, { token: apiKey })
        assert.strictEqual(created.status, 201, created.text)
        assert.isBelow((yield* Clock.currentTimeMillis) - started, 1000)
      }).pipe(Effect.provide(serverOn(name)))
    },
    { timeout: 60_000 }
  )
})
