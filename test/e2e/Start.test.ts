import { assert, describe, it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Order } from "../../src/orders/Order.js"
import { freePort } from "../../src/testing/Loopback.js"
import { awaitPortClosed, isAlive, pollUntil, probePort, spawnScoped } from "../support/Process.js"

const decodeOrder = Schema.decodeUnknownSync(Schema.fromJsonString(Order))

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      text: await response.text()
    }
  })

/** The URL, API key and JSON body of the printed `curl -X POST <url> -H 'Authorization: Bearer <key>' -d '<body>'`. */
const parseCurl = (line: string) => {
  const url = /(https?:\/\/\S+)/.exec(line)?.[1]
  const apiKey = /Bearer ([^'"\s]+)/.exec(line)?.[1]
  const body = /-d '([^']*)'/.exec(line)?.[1]
  if (url === undefined || apiKey === undefined || body === undefined)
    throw new Error(`cannot parse: ${line}`)
  return { url, apiKey, body }
}

/** Runs a shell command line exactly as printed; resolves with its stdout. */
const shell = (line: string) =>
  Effect.callback<string, Error>((resume) => {
    execFile("sh", ["-c", line], { timeout: 15_000 }, (error, stdout) =>
      resume(error === null ? Effect.succeed(stdout) : Effect.fail(error))
    )
  })

/** A fresh data directory; when the scope closes, any Postgres still running from it is stopped, then it is removed. */
const dataDirScoped = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "tawsil-e2e-"))),
  (dir) =>
    Effect.gen(function* () {
      const pidFile = join(dir, "pg", "postmaster.pid")
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : NaN
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        yield* Effect.logWarning("embedded Postgres outlived the service; stopping it").pipe(
          Effect.annotateLogs({ pid })
        )
        process.kill(pid, "SIGINT")
        yield* pollUntil("postgres to stop", "10 seconds", () => (isAlive(pid) ? undefined : true)).pipe(
          Effect.catch(() => Effect.sync(() => process.kill(pid, "SIGKILL")))
        )
      }
      rmSync(dir, { recursive: true, force: true })
    })
)

describe("npm start", () => {
  it.live(
    "starts with an embedded Postgres, prints a working curl line, serves ops routes, stops cleanly on SIGTERM",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* dataDirScoped
        const port = yield* Effect.promise(freePort)
        const pgPort = yield* Effect.promise(freePort)
        assert.notStrictEqual(port, pgPort)
        const env = Object.fromEntries(
          Object.entries(process.env).filter(([key]) => key !== "DATABASE_URL" && !key.startsWith("TAWSIL_"))
        )
        // `npm start` runs `tsx src/main.ts`; it is started without the npm/npx wrapper because that wrapper, sent
        // SIGTERM, kills only its `sh -c` child and leaves tsx, the service and its Postgres running
        const service = yield* spawnScoped(
          join(process.cwd(), "node_modules", ".bin", "tsx"),
          ["src/main.ts"],
          {
            cwd: process.cwd(),
            env: { ...env, TAWSIL_DATA_DIR: dataDir, PORT: String(port), TAWSIL_PG_PORT: String(pgPort) }
          }
        )
        const context = () => `\n--- service output ---\n${service.output()}`

        const curlLine = yield* pollUntil("the printed curl line", "60 seconds", () => {
          if (!service.isRunning()) throw new Error(`the service exited during start-up${context()}`)
          return service
            .output()
            .split("\n")
            .find((line) => line.trim().startsWith("curl "))
            ?.trim()
        }).pipe(
          Effect.mapError((error) => new Error(`${error.message}${context()}`)),
          Effect.orDie
        )

        const { url, apiKey, body } = parseCurl(curlLine)
        const endpoint = new URL(url)
        assert.strictEqual(endpoint.port, String(port))
        assert.strictEqual(endpoint.pathname, "/v1/orders")
        const base = endpoint.origin

        // the line exactly as printed, in a shell: a user can paste it
        const printed = decodeOrder(yield* shell(curlLine))
        assert.strictEqual(printed.status, "pending")
        const sent: unknown = JSON.parse(body)
        assert.deepStrictEqual(sent, { packageId: printed.packageId, playerId: printed.playerId })

        // the same request again, parsed out of the line: its status code
        const created = yield* request(url, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body
        })
        assert.strictEqual(created.status, 201, created.text)
        const order = decodeOrder(created.text)
        assert.strictEqual(order.status, "pending")
        assert.notStrictEqual(order.id, printed.id)
        const fetched = yield* request(`${base}/v1/orders/${printed.id}`, {
          headers: { authorization: `Bearer ${apiKey}` }
        })
        assert.strictEqual(fetched.status, 200, fetched.text)
        assert.strictEqual(decodeOrder(fetched.text).id, printed.id)

        // the generated admin token is kept in the data directory and printed once
        const adminToken = readFileSync(join(dataDir, "admin-token"), "utf8").trim()
        assert.include(service.output(), adminToken)
        const adminOrders = yield* request(`${base}/v1/admin/orders`, {
          headers: { authorization: `Bearer ${adminToken}` }
        })
        assert.strictEqual(adminOrders.status, 200, adminOrders.text)
        assert.include(adminOrders.text, printed.id)
        assert.include(adminOrders.text, order.id)

        const healthz = yield* request(`${base}/healthz`)
        assert.strictEqual(healthz.status, 200, healthz.text)
        assert.deepStrictEqual(JSON.parse(healthz.text), { status: "ok" })
        const readyz = yield* request(`${base}/readyz`)
        assert.strictEqual(readyz.status, 200, readyz.text)
        const docs = yield* request(`${base}/docs`)
        assert.strictEqual(docs.status, 200)
        assert.match(docs.contentType, /^text\/html/)
        assert.match(docs.text, /<html/i)
        const openapi = yield* request(`${base}/openapi.json`)
        assert.strictEqual(openapi.status, 200)
        assert.include(openapi.text, '"/v1/orders"')

        // SIGTERM to the process we started (not its group): the service must stop its own Postgres
        const pgPid = Number(readFileSync(join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0])
        assert.isTrue(isAlive(pgPid), "the embedded Postgres runs while the service does")
        assert.strictEqual(yield* probePort(pgPort), "open")
        service.child.kill("SIGTERM")
        const exit = yield* Effect.promise(() => service.exited).pipe(
          Effect.timeoutOrElse({
            duration: "30 seconds",
            orElse: () =>
              Effect.fail(new Error(`the service did not exit within 30 s of SIGTERM${context()}`))
          }),
          Effect.orDie
        )
        yield* Effect.logInfo("service exited").pipe(Effect.annotateLogs({ ...exit }))
        assert.deepStrictEqual(exit, { code: 0, signal: null }, context())
        yield* awaitPortClosed(port, "the HTTP server", "15 seconds").pipe(Effect.orDie)
        yield* awaitPortClosed(
          pgPort,
          `the embedded Postgres (pid ${pgPid}) after SIGTERM`,
          "15 seconds"
        ).pipe(
          Effect.mapError((error) => new Error(`${error.message}${context()}`)),
          Effect.orDie
        )
        yield* pollUntil(`postgres pid ${pgPid} to exit`, "10 seconds", () =>
          isAlive(pgPid) ? undefined : true
        ).pipe(Effect.orDie)
      }),
    { timeout: 120_000 }
  )
})

/** The service as `npm start` runs it, on a fresh data directory, with `extra` in its environment. */
const startService = (extra: Record<string, string>) =>
  Effect.gen(function* () {
    const dataDir = yield* dataDirScoped
    const port = yield* Effect.promise(freePort)
    const pgPort = yield* Effect.promise(freePort)
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key !== "DATABASE_URL" && !key.startsWith("TAWSIL_"))
    )
    const service = yield* spawnScoped(join(process.cwd(), "node_modules", ".bin", "tsx"), ["src/main.ts"], {
      cwd: process.cwd(),
      env: { ...env, ...extra, TAWSIL_DATA_DIR: dataDir, PORT: String(port), TAWSIL_PG_PORT: String(pgPort) }
    })
    return { service, dataDir, pgPort }
  })

/** The schemas of the service's database that hold tables, with how many each. */
const tableSchemas = (dataDir: string, pgPort: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ schema: string; tables: number }>`
      select table_schema as schema, count(*)::int as tables from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') group by table_schema order by 1`
  }).pipe(
    Effect.provide(
      PgClient.layer({
        url: Redacted.make(
          `postgres://postgres:${readFileSync(join(dataDir, "pg-password"), "utf8").trim()}@127.0.0.1:${pgPort}/postgres`
        ),
        maxConnections: 1
      })
    ),
    Effect.orDie
  )

describe("npm start with TAWSIL_SCHEMA", () => {
  it.live(
    "the service's tables live in the schema it names; a bad name stops the start, naming the variable",
    () =>
      Effect.gen(function* () {
        const { service, dataDir, pgPort } = yield* startService({ TAWSIL_SCHEMA: "shop_x" })
        const curlLine = yield* pollUntil("the printed curl line", "60 seconds", () => {
          if (!service.isRunning()) throw new Error(`the service exited during start-up\n${service.output()}`)
          return service
            .output()
            .split("\n")
            .find((line) => line.trim().startsWith("curl "))
            ?.trim()
        }).pipe(Effect.orDie)
        assert.strictEqual(decodeOrder(yield* shell(curlLine)).status, "pending")
        const schemas = yield* tableSchemas(dataDir, pgPort)
        assert.deepStrictEqual(
          schemas.map((row) => row.schema),
          ["shop_x"],
          "every table in shop_x, none in tawsil or public"
        )
        assert.isAtLeast(schemas[0]!.tables, 13)

        const refused = yield* startService({ TAWSIL_SCHEMA: "Bad-Name" })
        const exit = yield* Effect.promise(() => refused.service.exited).pipe(
          Effect.timeoutOrElse({
            duration: "30 seconds",
            orElse: () =>
              Effect.die(new Error(`still running with a bad schema name\n${refused.service.output()}`))
          })
        )
        assert.notStrictEqual(exit.code, 0)
        assert.include(refused.service.output(), "TAWSIL_SCHEMA")
        assert.isFalse(
          existsSync(join(refused.dataDir, "pg", "PG_VERSION")),
          "refused before the embedded Postgres was initialised"
        )
      }),
    { timeout: 120_000 }
  )
})
