import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Effect, HashMap, List, Logger, LogLevel, TestClock } from "effect"
import { inspect } from "node:util"
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
  znetPubg
} from "../support/WireEngine.js"
import { ZnetSimulator } from "../support/ZnetSimulator.js"

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
  it.scoped(
    "success, failure and wrong-credential runs at Znet and Barakat: no secret in any answer, dispatch log, order row or log line",
    () => {
      const lines: Array<string> = []
      const capture = Logger.make(({ logLevel, message, annotations, cause, spans }) => {
        lines.push(
          [
            logLevel.label,
            inspect(message, { depth: 12 }),
            inspect([...HashMap.toEntries(annotations)], { depth: 12 }),
            inspect(List.toArray(spans), { depth: 4 }),
            Cause.isEmpty(cause) ? "" : `${Cause.pretty(cause)} ${inspect(cause, { depth: 12 })}`
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
        const stored = yield* sql<{ credentials: string }>`select credentials::text from providers`.pipe(
          Effect.orDie
        )
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
        yield* admin.admin.credit({ path: { id: account.account.id }, payload: { amount: "500.00" } })
        const reseller = yield* recordingClient(bodies, account.apiKey)

        const orders = yield* Effect.forEach(providerIds, (id) =>
          reseller.orders.create({
            payload: { packageId: `pkg-${id}`, playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        const states = Effect.map(reseller.orders.list({ urlParams: {} }), (page) =>
          page.items.map((o) => o.dispatch.state)
        )
        yield* eventually(states, (s) => s.every((state) => state === "awaiting" || state === "manual"))

        // the four accepted orders are checked at 10 s; Barakat's two batchers wait 25 ms more
        yield* awaitSleeps(10_000, 4)
        const windows = yield* sleepsAt(10_025)
        yield* TestClock.adjust("10 seconds")
        yield* awaitSleeps(10_025, windows + 2)
        yield* TestClock.adjust("25 millis")
        const settled = yield* eventually(reseller.orders.list({ urlParams: {} }), (page) =>
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
          yield* reseller.orders.get({ path: { id: order.id } })
          const log = yield* admin.admin.orderLog({ path: { id: order.id } })
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
        yield* admin.admin.listOrders({ urlParams: {} })
        yield* admin.admin.listPackages()
        const listed = yield* admin.admin.listProviders()
        assert.isTrue(listed.every((p) => p.hasCredentials))
        yield* TestClock.adjust("1 second")
        const balances = yield* Effect.forEach(
          providerIds,
          (id) => Effect.either(admin.admin.providerBalance({ path: { id } })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          balances.map((b) => (b._tag === "Right" ? "ok" : b.left._tag)),
          ["ok", "ok", "ProviderCallFailed", "ok", "ok", "ProviderCallFailed"]
        )
        // each provider's rate limiter refills before its next call
        const now = yield* Clock.currentTimeMillis
        yield* awaitSleeps(now + 200, 3)
        yield* awaitSleeps(now + 100, 3)
        yield* TestClock.adjust("1 second")
        const catalogues = yield* Effect.forEach(
          providerIds,
          (id) => Effect.either(admin.admin.providerCatalogue({ path: { id } })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          catalogues.map((c) => (c._tag === "Right" ? "ok" : c.left._tag)),
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
        }>`select row_to_json(d)::text as row from dispatch_log d`.pipe(Effect.orDie)
        assert.isAtLeast(logRows.length, 8)
        assert.isTrue(logRows.some((r) => r.row.includes("ProviderMisconfigured")))
        assertClean(
          "the dispatch_log table",
          logRows.map((r) => r.row)
        )
        const orderRows = yield* sql<{ row: string }>`select row_to_json(o)::text as row from orders o`.pipe(
          Effect.orDie
        )
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
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
    }
  )
})
