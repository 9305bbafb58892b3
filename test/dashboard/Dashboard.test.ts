import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import type { Page } from "playwright-core"
import { contentSecurityPolicy } from "../../src/dashboard/DashboardPage.js"
import { engineStack, eventually, orderRow, routedPackage, simulatorProvider } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance, testAdminToken } from "../support/TestServer.js"
import { browserScoped, pageScoped, step } from "./Chromium.js"

/** The loopback origin of the service's real listening socket, which the browser connects to. */
const origin = Effect.map(HttpServer.HttpServer, (server) =>
  server.address._tag === "UnixPathAddress" ? "" : `http://127.0.0.1:${server.address.port}`
)

// markup in a reseller-supplied field must reach the page as text
const playerId = `<img src=x id="injected">`

/** A manual-route order of a fresh reseller (100.00 USD), once the engine has put it in the manual queue. */
const manualOrder = (packageId: string) =>
  Effect.gen(function* () {
    const reseller = yield* resellerWithBalance("100.00")
    const order = yield* reseller.client.orders.create({
      payload: { packageId, playerId, quantity: 1 },
      headers: {}
    })
    yield* eventually(orderRow(order.id), (row) => row.dispatch_state === "manual")
    return { ...reseller, order }
  })

/** Opens the dashboard, signs in with the admin token and waits until `orderId` is in the manual queue. */
const signedIn = (page: Page, base: string, orderId: string) =>
  step("sign in", async () => {
    await page.goto(`${base}/dashboard?refresh=1`)
    await page.fill("#token", testAdminToken)
    await page.click("#login-submit")
    const row = page.locator(`#manual-queue tr[data-order-id="${orderId}"]`)
    await row.waitFor()
    return row
  })

describe("operator dashboard in headless Chromium", () => {
  it.live(
    "loads behind the admin token, shows an order created through the API, and Reject refunds it",
    () =>
      Effect.gen(function* () {
        const base = yield* origin
        const admin = yield* adminClient
        yield* simulatorProvider("sim")
        yield* routedPackage("by-hand", { mode: "manual" }, "35.00")
        const { order, ...reseller } = yield* manualOrder("by-hand")
        assert.strictEqual((yield* reseller.client.orders.account()).balance, "65.00")

        // the browser is closed before the server stops
        yield* Effect.scoped(
          Effect.gen(function* () {
            const { page, problems } = yield* Effect.flatMap(browserScoped, pageScoped)
            const response = yield* step("open /dashboard", () => page.goto(`${base}/dashboard?refresh=1`))
            assert.strictEqual(response?.status(), 200)
            assert.strictEqual(response?.headers()["content-security-policy"], contentSecurityPolicy)

            yield* step("a wrong token is refused", async () => {
              await page.fill("#token", "not-the-token")
              await page.click("#login-submit")
              await page.locator("#login-error", { hasText: "invalid API key" }).waitFor()
            })
            yield* step("the admin token opens the board", async () => {
              await page.fill("#token", testAdminToken)
              await page.click("#login-submit")
              await page.locator("#board").waitFor()
            })

            const queued = page.locator(`#manual-queue tr[data-order-id="${order.id}"]`)
            const recent = page.locator(`#recent-orders tr[data-order-id="${order.id}"]`)
            yield* step("the order is in the manual queue and among recent orders", async () => {
              await queued.waitFor()
              await recent.waitFor()
            })
            assert.include(yield* step("read the row", () => queued.innerText()), playerId)
            assert.strictEqual(yield* step("count injected", () => page.locator("#injected").count()), 0)
            assert.strictEqual(
              yield* step("manual count", () => page.locator('[data-count="manual"] strong').innerText()),
              "1"
            )
            yield* step("the simulator's balance is shown", () =>
              page
                .locator('#providers tr[data-provider-id="sim"] .balance', { hasText: "1000000.00" })
                .waitFor()
            )

            yield* step("reject with a note", async () => {
              await queued.locator('button[data-action="reject"]').click()
              await page.fill('#action-form textarea[name="note"]', "customer cancelled")
              await page.click("#action-confirm")
              await queued.waitFor({ state: "detached" })
              await page
                .locator(`#recent-orders tr[data-order-id="${order.id}"][data-status="rejected"]`)
                .waitFor()
            })
            assert.deepStrictEqual(problems, [])
          })
        )

        const after = yield* reseller.client.orders.get({ params: { id: order.id } })
        assert.deepStrictEqual([after.status, after.dispatch.state], ["rejected", "failed"])
        assert.strictEqual((yield* reseller.client.orders.account()).balance, "100.00")
        const ledger = yield* admin.admin.ledger({ params: { id: reseller.accountId }, query: {} })
        assert.deepStrictEqual(
          ledger.items
            .filter((entry) => entry.orderId === order.id)
            .map((entry) => [entry.kind, entry.amount, entry.note]),
          [
            ["refund", "35.00", "customer cancelled"],
            ["debit", "-35.00", undefined]
          ]
        )
      }).pipe(Effect.provide(engineStack())),
    30_000
  )

  it.live("Approve with a PIN and Re-dispatch to a chosen provider go through the dialog", () =>
    Effect.gen(function* () {
      const base = yield* origin
      yield* simulatorProvider("sim", { sendLatencyMs: 60_000 })
      yield* routedPackage("by-hand", { mode: "manual" }, "35.00")
      const approved = yield* manualOrder("by-hand")
      const resent = yield* manualOrder("by-hand")

      yield* Effect.scoped(
        Effect.gen(function* () {
          const { page, problems } = yield* Effect.flatMap(browserScoped, pageScoped)
          const row = yield* signedIn(page, base, approved.order.id)
          yield* step("approve with a PIN", async () => {
            await row.locator('button[data-action="approve"]').click()
            await page.fill('#action-form input[name="pin"]', "PIN-1234")
            await page.click("#action-confirm")
            await row.waitFor({ state: "detached" })
          })
          const other = page.locator(`#manual-queue tr[data-order-id="${resent.order.id}"]`)
          yield* step("re-dispatch to the simulator", async () => {
            await other.locator('button[data-action="dispatch"]').click()
            await page.selectOption('#action-form select[name="providerId"]', "sim")
            await page.click("#action-confirm")
            await other.waitFor({ state: "detached" })
          })
          assert.deepStrictEqual(problems, [])
        })
      )

      const first = yield* approved.client.orders.get({ params: { id: approved.order.id } })
      assert.deepStrictEqual([first.status, first.pin], ["approved", "PIN-1234"])
      const second = yield* eventually(
        resent.client.orders.get({ params: { id: resent.order.id } }),
        (o) => o.dispatch.state === "sending"
      )
      assert.deepStrictEqual([second.status, second.dispatch.provider], ["pending", "sim"])
    }).pipe(Effect.provide(engineStack()))
  )
})
