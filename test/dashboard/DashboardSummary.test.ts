import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { contentSecurityPolicy } from "../../src/dashboard/DashboardPage.js"
import { send } from "../support/RawHttp.js"
import {
  adminClient,
  resellerWithBalance,
  simulatorPackageViaApi,
  TestServerLive
} from "../support/TestServer.js"

/** Provider interactions as the engine would have logged them, `minutesAgo` before now, oldest first. */
const logged = (orderId: string, rows: ReadonlyArray<readonly [string, string, string, number]>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(
      rows,
      ([action, outcome, response, minutesAgo]) =>
        sql`insert into tawsil.dispatch_log (order_id, provider_id, action, response, outcome, actor, created_at)
            values (${orderId}, 'sim', ${action}, ${response}, ${outcome}, 'engine',
                    now() - make_interval(mins => ${minutesAgo}))`,
      { discard: true }
    ).pipe(Effect.orDie)
  )

const moveTo = (orderId: string, state: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`update tawsil.orders set dispatch_state = ${state}, provider_id = 'sim' where id = ${orderId}`.pipe(
      Effect.orDie
    )
  )

describe("GET /v1/admin/dashboard and the page's files", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("counts, the manual queue, recent failures and provider health", () =>
      Effect.gen(function* () {
        yield* simulatorPackageViaApi("dash", "5.00")
        const { client } = yield* resellerWithBalance("100.00")
        const create = () =>
          client.orders.create({ payload: { packageId: "dash", playerId: "p1", quantity: 1 }, headers: {} })
        const [sent, _queued, manual] = [yield* create(), yield* create(), yield* create()]
        yield* moveTo(sent.id, "awaiting")
        yield* moveTo(manual.id, "manual")
        yield* logged(sent.id, [
          ["send", "ProviderUnavailable", "maintenance", 120],
          ["send", "ProviderTransient", "connection refused", 30],
          ["send", "Accepted", "OK", 20],
          ["check", "Pending", "wait", 10],
          ["check", "Failed", "cancelled", 5]
        ])

        const summary = yield* Effect.flatMap(adminClient, (admin) => admin.admin.dashboard())
        assert.deepStrictEqual(
          summary.stateCounts.map((c) => [c.state, c.status, c.count]),
          [
            ["awaiting", "pending", 1],
            ["manual", "pending", 1],
            ["queued", "pending", 1]
          ]
        )
        assert.deepStrictEqual(
          summary.manualQueue.map((o) => o.id),
          [manual.id]
        )
        assert.strictEqual(summary.recentOrders.length, 3)
        assert.strictEqual(summary.recentOrders[0]?.id, manual.id)
        // the failures are the newest first; the hour-old rows count in the failures, not in the health
        assert.deepStrictEqual(
          summary.recentFailures.map((f) => [f.orderId, f.outcome, f.response]),
          [
            [sent.id, "Failed", "cancelled"],
            [sent.id, "ProviderTransient", "connection refused"],
            [sent.id, "ProviderUnavailable", "maintenance"]
          ]
        )
        const [sim] = summary.providers
        assert.deepStrictEqual(
          [sim?.id, sim?.kind, sim?.inFlight, sim?.calls, sim?.errors, sim?.lastOutcome],
          ["sim", "simulator", 1, 4, 1, "Failed"]
        )
      })
    )

    it.effect("only for the admin token", () =>
      Effect.gen(function* () {
        const { apiKey } = yield* resellerWithBalance("0.00")
        const anonymous = yield* send(HttpClientRequest.get("/v1/admin/dashboard"))
        const reseller = yield* send(
          HttpClientRequest.get("/v1/admin/dashboard").pipe(HttpClientRequest.bearerToken(apiKey))
        )
        assert.deepStrictEqual([anonymous.status, reseller.status], [401, 403])
      })
    )

    it.effect("the page and its script and style are public static files with a strict CSP", () =>
      Effect.gen(function* () {
        const page = yield* send(HttpClientRequest.get("/dashboard"))
        assert.strictEqual(page.status, 200)
        assert.strictEqual(page.headers["content-type"], "text/html; charset=utf-8")
        assert.strictEqual(page.headers["content-security-policy"], contentSecurityPolicy)
        assert.include(page.text, `<script type="module" src="/dashboard/app.js"></script>`)
        for (const [path, type] of [
          ["/dashboard/app.js", "text/javascript; charset=utf-8"],
          ["/dashboard/render.js", "text/javascript; charset=utf-8"],
          ["/dashboard/style.css", "text/css; charset=utf-8"]
        ] as const) {
          const file = yield* send(HttpClientRequest.get(path))
          assert.deepStrictEqual([path, file.status, file.headers["content-type"]], [path, 200, type])
          assert.strictEqual(file.headers["x-content-type-options"], "nosniff")
        }
      })
    )
  })
})
