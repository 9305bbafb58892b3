import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Effect, Fiber, Logger, References } from "effect"
import { TestClock } from "effect/testing"
import { inspect } from "node:util"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import { engineStack, eventually, quietNode } from "../support/TestEngine.js"
import { testAdminToken } from "../support/TestServer.js"
import {
  awaitSleeps,
  barakatPubg,
  putBarakat,
  putPackage,
  putZnet,
  recordingClient,
  sleepsAt,
  stepClockUntil,
  znetPubg
} from "../support/WireEngine.js"
import { echoPlacements } from "../support/ProviderEcho.js"
import { ZnetSimulator } from "../support/ZnetSimulator.js"
import { barakatTokens, leaks, znetCredentials } from "./SecretForms.js"

const kod = "KOD-SECRET-123"
const sifre = "SIFRE-SECRET-456"
const token = "TOKEN-SECRET-789"
const wrong = { kod: "KOD-WRONG-111", sifre: "SIFRE-WRONG-222", token: "TOKEN-WRONG-333" }
const secrets = [kod, sifre, token, wrong.kod, wrong.sifre, wrong.token]

const assertClean = (where: string, texts: ReadonlyArray<string>) => {
  const all = texts.join("\n")
  for (const secret of secrets) assert.notInclude(all, secret, `${secret} leaked into ${where}`)
}

describe("provider credentials stay secret through the whole engine", () => {
  it.effect(
    "success, failure and wrong-credential runs at Znet and Barakat: no secret in any answer, dispatch log, order row or log line",
    () => {
      const lines: Array<string> = []
      const capture = Logger.make(({ logLevel, message, fiber, cause }) => {
        lines.push(
          [
            logLevel.toUpperCase(),
            inspect(message, { depth: 12 }),
            inspect(Object.entries(fiber.getRef(References.CurrentLogAnnotations)), { depth: 12 }),
            inspect(fiber.getRef(References.CurrentLogSpans), { depth: 4 }),
            cause.reasons.length === 0 ? "" : `${Cause.pretty(cause)} ${inspect(cause, { depth: 12 })}`
          ].join(" ")
        )
      })

      return Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const bodies: Array<string> = []
        const admin = yield* recordingClient(bodies, testAdminToken)

        // Znet echoes a wrong dealer code back in its error text; the adapters must not repeat any of it
        const znetOk = yield* ZnetSimulator.start({ kod, sifre, outcome: "success", pollsBeforeFinal: 0 })
        const znetFail = yield* ZnetSimulator.start({ kod, sifre, outcome: "failure", pollsBeforeFinal: 0 })
        const barakatOk = yield* BarakatSimulator.start({ token, outcome: "success", pollsBeforeFinal: 0 })
        const barakatFail = yield* BarakatSimulator.start({ token, outcome: "failure", pollsBeforeFinal: 0 })
        yield* putZnet(admin, "znet-ok", { baseUrl: znetOk.baseUrl, kod, sifre })
        yield* putZnet(admin, "znet-fail", { baseUrl: znetFail.baseUrl, kod, sifre })
        yield* putZnet(admin, "znet-bad", { baseUrl: znetOk.baseUrl, kod: wrong.kod, sifre: wrong.sifre })
        yield* putBarakat(admin, "barakat-ok", { baseUrl: barakatOk.baseUrl, token })
        yield* putBarakat(admin, "barakat-fail", { baseUrl: barakatFail.baseUrl, token })
        yield* putBarakat(admin, "barakat-bad", { baseUrl: barakatOk.baseUrl, token: wrong.token })

        // the search below looks at real data: the credentials are stored, and the log capture works
        const stored = yield* sql<{
          credentials: string
        }>`select credentials::text from tawsil.providers`.pipe(Effect.orDie)
        for (const secret of secrets) {
          assert.include(stored.map((row) => row.credentials).join("\n"), secret, "stored for the adapters")
        }
        assert.isTrue(
          lines.some((line) => line.includes("provider saved")),
          "the log capture sees the service"
        )

        const providerIds = ["znet-ok", "znet-fail", "znet-bad", "barakat-ok", "barakat-fail", "barakat-bad"]
        for (const id of providerIds) {
          yield* putPackage(
            admin,
            `pkg-${id}`,
            { mode: "auto", primary: id },
            { [id]: id.startsWith("znet") ? znetPubg : barakatPubg }
          )
        }
        const account = yield* admin.admin.createAccount({
          payload: { name: "Reseller", currency: "USD", overdraftLimit: "0.00" }
        })
        yield* admin.admin.credit({ params: { id: account.account.id }, payload: { amount: "500.00" } })
        const reseller = yield* recordingClient(bodies, account.apiKey)

        const orders = yield* Effect.forEach(providerIds, (id) =>
          reseller.orders.create({
            payload: { packageId: `pkg-${id}`, playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        const states = Effect.map(reseller.orders.list({ query: {} }), (page) =>
          page.items.map((o) => o.dispatch.state)
        )
        yield* eventually(states, (s) => s.every((state) => state === "awaiting" || state === "manual"))

        // the four accepted orders are checked at 10 s; Barakat's two batchers wait 25 ms more
        yield* awaitSleeps(10_000, 4)
        const windows = yield* sleepsAt(10_025)
        yield* TestClock.adjust("10 seconds")
        yield* awaitSleeps(10_025, windows + 2)
        yield* TestClock.adjust("25 millis")
        const settled = yield* eventually(reseller.orders.list({ query: {} }), (page) =>
          page.items.every((o) => o.status !== "pending" || o.dispatch.state === "manual")
        )
        const byProvider = new Map(
          orders.map((created) => [
            created.packageId.replace("pkg-", ""),
            settled.items.find((o) => o.id === created.id)
          ])
        )
        assert.deepStrictEqual(
          providerIds.map((id) => [id, byProvider.get(id)?.status, byProvider.get(id)?.dispatch.state]),
          [
            ["znet-ok", "approved", "done"],
            ["znet-fail", "rejected", "failed"],
            ["znet-bad", "pending", "manual"],
            ["barakat-ok", "approved", "done"],
            ["barakat-fail", "rejected", "failed"],
            ["barakat-bad", "pending", "manual"]
          ]
        )

        // read everything an operator or a reseller can see
        const logs = new Map<string, ReadonlyArray<string>>()
        for (const order of orders) {
          yield* reseller.orders.get({ params: { id: order.id } })
          const log = yield* admin.admin.orderLog({ params: { id: order.id } })
          logs.set(
            order.packageId.replace("pkg-", ""),
            log.items.map((e) => `${e.outcome} ${e.response ?? ""}`)
          )
        }
        assert.deepStrictEqual(logs.get("znet-bad"), [
          "ProviderMisconfigured Znet: connection refused by the dealer API (credentials, API permission or IP): " +
            "Bağlantı Hatası, bayi kodu *** için yetki yok"
        ])
        assert.include(logs.get("barakat-bad")?.join() ?? "", "Token error")
        yield* admin.admin.listOrders({ query: {} })
        yield* admin.admin.listPackages()
        const listed = yield* admin.admin.listProviders()
        assert.isTrue(listed.every((p) => p.hasCredentials))
        yield* TestClock.adjust("1 second")
        const balances = yield* Effect.forEach(
          providerIds,
          (id) => Effect.result(admin.admin.providerBalance({ params: { id } })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          balances.map((b) => (b._tag === "Success" ? "ok" : b.failure._tag)),
          ["ok", "ok", "ProviderCallFailed", "ok", "ok", "ProviderCallFailed"]
        )
        // each provider's rate limiter refills before its next call
        const now = yield* Clock.currentTimeMillis
        yield* awaitSleeps(now + 200, 3)
        yield* awaitSleeps(now + 100, 3)
        yield* TestClock.adjust("1 second")
        const catalogues = yield* Effect.forEach(
          providerIds,
          (id) => Effect.result(admin.admin.providerCatalogue({ params: { id } })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          catalogues.map((c) => (c._tag === "Success" ? "ok" : c.failure._tag)),
          ["ok", "ok", "ProviderCallFailed", "ok", "ok", "ProviderCallFailed"]
        )

        assert.isAbove(bodies.length, 40)
        assert.isTrue(
          bodies.some((body) => body.startsWith("502 ") && body.includes("bayi kodu ***")),
          "Znet's echo of the dealer code reaches the answer scrubbed"
        )
        assertClean("API answers", bodies)

        const logRows = yield* sql<{
          row: string
        }>`select row_to_json(d)::text as row from tawsil.dispatch_log d`.pipe(Effect.orDie)
        assert.isAtLeast(logRows.length, 8)
        assert.isTrue(logRows.some((r) => r.row.includes("ProviderMisconfigured")))
        assertClean(
          "the dispatch_log table",
          logRows.map((r) => r.row)
        )
        const orderRows = yield* sql<{
          row: string
        }>`select row_to_json(o)::text as row from tawsil.orders o`.pipe(Effect.orDie)
        assertClean(
          "the orders table",
          orderRows.map((r) => r.row)
        )

        assert.isTrue(
          lines.some((line) => line.startsWith("DEBUG") && line.includes("provider call")),
          "debug lines are captured"
        )
        assert.isTrue(lines.some((line) => line.includes("provider misconfigured")))
        assertClean("log output", lines)
      }).pipe(
        Effect.provide(engineStack(quietNode)),
        Effect.provide(Logger.layer([capture, Logger.tracerLogger])),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
    }
  )
})

/** Every line the service logs, with its annotations, spans and cause. */
const logCapture = (lines: Array<string>) =>
  Logger.make(({ logLevel, message, fiber, cause }) => {
    lines.push(
      inspect(
        [
          logLevel.toUpperCase(),
          message,
          Object.entries(fiber.getRef(References.CurrentLogAnnotations)),
          fiber.getRef(References.CurrentLogSpans),
          cause
        ],
        {
          depth: 12
        }
      )
    )
  })

/** Every row of every table, as JSON; the providers' stored credentials (write-only, for the adapters) left out. */
const everyRow = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tables = yield* sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'tawsil' and table_type = 'BASE TABLE'`
  const rows = yield* Effect.forEach(tables, ({ name }) =>
    sql.unsafe<{ row: string }>(`select (to_jsonb(t) - 'credentials')::text as row from tawsil."${name}" t`)
  )
  return { tables: tables.map((t) => t.name), rows: rows.flat().map((r) => r.row) }
}).pipe(Effect.orDie)

describe("providers echoing our credentials in every encoding, through the whole service", () => {
  it.effect(
    "Znet and Barakat echo them in a path, a query, JSON, an HTML page and a header: no form of any reaches an answer, a log line or a table",
    () => {
      const lines: Array<string> = []
      return Effect.gen(function* () {
        const bodies: Array<string> = []
        const admin = yield* recordingClient(bodies, testAdminToken)
        const cases = [
          ...znetCredentials.flatMap(({ kod, sifre }, i) =>
            echoPlacements.map((where) => ({ id: `znet-${i}-${where}`, where, secrets: [kod, sifre] }))
          ),
          ...barakatTokens.flatMap((token, i) =>
            echoPlacements.map((where) => ({ id: `barakat-${i}-${where}`, where, secrets: [token] }))
          )
        ]
        const secrets = cases.flatMap((c) => c.secrets)
        const simulators = yield* Effect.forEach(cases, ({ id, secrets: [first = "", second = ""] }) =>
          Effect.gen(function* () {
            if (id.startsWith("znet")) {
              const sim = yield* ZnetSimulator.start({ kod: first, sifre: second, pollsBeforeFinal: 0 })
              yield* putZnet(admin, id, { baseUrl: sim.baseUrl, kod: first, sifre: second })
              yield* putPackage(admin, `pkg-${id}`, { mode: "auto", primary: id }, { [id]: znetPubg })
              return sim
            }
            const sim = yield* BarakatSimulator.start({ token: first, pollsBeforeFinal: 0 })
            yield* putBarakat(admin, id, { baseUrl: sim.baseUrl, token: first })
            yield* putPackage(admin, `pkg-${id}`, { mode: "auto", primary: id }, { [id]: barakatPubg })
            return sim
          })
        )
        const account = yield* admin.admin.createAccount({
          payload: { name: "Reseller", currency: "USD", overdraftLimit: "0.00" }
        })
        yield* admin.admin.credit({ params: { id: account.account.id }, payload: { amount: "5000.00" } })
        const reseller = yield* recordingClient(bodies, account.apiKey)
        const createAll = Effect.forEach(cases, ({ id }) =>
          reseller.orders.create({
            payload: { packageId: `pkg-${id}`, playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        const stateOf = (ids: ReadonlyArray<string>) =>
          Effect.map(reseller.orders.list({ query: { limit: 200 } }), (page) =>
            page.items.filter((o) => ids.includes(o.id))
          )

        // accepted while the providers behave; then every answer echoes: B's sends, A's checks, admin questions
        const accepted = yield* createAll
        const sent = (ids: ReadonlyArray<string>) =>
          Effect.map(stateOf(ids), (os) =>
            os.every((o) => o.dispatch.state !== "queued" && o.dispatch.state !== "sending")
          )
        yield* stepClockUntil(sent(accepted.map((o) => o.id)), { within: 300 })
        assert.deepStrictEqual(
          (yield* stateOf(accepted.map((o) => o.id))).filter((o) => o.dispatch.state !== "awaiting"),
          [],
          "every provider accepted its first order"
        )
        yield* Effect.forEach(simulators, (sim, i) => sim.script({ echo: cases[i]!.where }))
        const refused = yield* createAll
        yield* stepClockUntil(sent(refused.map((o) => o.id)), { within: 300 })
        // a check settles the order (cancelled with the echo) or is recorded as failed (an HTML page)
        yield* stepClockUntil(
          Effect.map(stateOf(accepted.map((o) => o.id)), (os) =>
            os.every((o) => o.dispatch.state !== "awaiting" || o.dispatch.lastCheckedAt !== undefined)
          ),
          { within: 10_100 }
        )
        const questions = yield* Effect.forkScoped(
          Effect.forEach(
            cases,
            ({ id }) =>
              Effect.zip(
                Effect.result(admin.admin.providerBalance({ params: { id } })),
                Effect.result(admin.admin.providerCatalogue({ params: { id } }))
              ),
            { concurrency: "unbounded" }
          )
        )
        yield* stepClockUntil(
          Effect.sync(() => questions.pollUnsafe() !== undefined),
          { within: 1_000 }
        )
        const answered = yield* Fiber.join(questions)
        assert.isTrue(
          answered.every(([balance]) => balance._tag === "Failure"),
          "every balance answer was an echo"
        )

        // everything a reseller or an operator can read
        const orders = [...accepted, ...refused]
        const seen = yield* Effect.forEach(orders, (order) =>
          reseller.orders.get({ params: { id: order.id } })
        )
        const logs = yield* Effect.forEach(orders, (order) =>
          admin.admin.orderLog({ params: { id: order.id } })
        )
        yield* admin.admin.listOrders({ query: { limit: 200 } })
        yield* admin.admin.listProviders()
        yield* reseller.orders.list({ query: { limit: 200 } })

        // the echoes did happen, and reached the dispatch log scrubbed
        const requests = yield* Effect.forEach(simulators, (sim) => sim.requests)
        assert.isTrue(
          requests.every((r) => r.length >= 5),
          "each provider was sent, checked and asked"
        )
        const responses = logs.flatMap((log) => log.items.map((entry) => entry.response ?? ""))
        assert.isTrue(responses.some((r) => r.includes("Geçersiz istek") && r.includes("***")))
        assert.isTrue(responses.some((r) => r.includes("Request refused") && r.includes("***")))
        assert.isTrue(responses.some((r) => r.includes("İptal edildi") && r.includes("***")))
        // resellers read our words only: none of a provider's text
        const ours = new Set<string>([...Object.values(ResellerWords), "no provider can serve this order"])
        for (const order of seen) {
          for (const text of [order.message, order.dispatch.lastMessage]) {
            if (text !== undefined) assert.isTrue(ours.has(text), `"${text}" is not one of our words`)
          }
        }
        assert.includeMembers(
          seen.map((o) => o.status),
          ["rejected", "pending"]
        )

        const dump = yield* everyRow
        assert.includeMembers(dump.tables, [
          "orders",
          "dispatch_log",
          "providers",
          "ledger_entries",
          "outbox"
        ])
        assert.isTrue(
          lines.some((line) => line.includes("provider call")),
          "debug lines are captured"
        )
        assert.deepStrictEqual(
          [
            ...leaks("the HTTP answers", bodies, secrets),
            ...leaks("the log lines", lines, secrets),
            ...leaks("the tables", dump.rows, secrets)
          ],
          []
        )
      }).pipe(
        Effect.provide(engineStack(quietNode)),
        Effect.provide(Logger.layer([logCapture(lines), Logger.tracerLogger])),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
    },
    { timeout: 120_000 }
  )
})
