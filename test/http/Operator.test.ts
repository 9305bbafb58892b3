import { HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
import { expectError, postText, send } from "../support/RawHttp.js"
import {
  adminClient,
  resellerWithBalance,
  simulatorPackageViaApi,
  TestServerLive
} from "../support/TestServer.js"

/** The server without an engine: orders stay `pending`/`queued` until an operator (or a test) moves them. */
const orderOf = (packageId: string, price: string, balance: string) =>
  Effect.gen(function* () {
    yield* simulatorPackageViaApi(packageId, price)
    const reseller = yield* resellerWithBalance(balance)
    const order = yield* reseller.client.orders.create({
      payload: { packageId, playerId: "5551234", quantity: 1 },
      headers: {}
    })
    return { ...reseller, order }
  })

const ledgerRows = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ kind: string; amount: string; seq: number; note: string | null }>`
      select kind, amount::text, seq, note from tawsil.ledger_entries where order_id = ${orderId} order by id`.pipe(
      Effect.orDie
    )
  )

const outboxRow = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ owner_node: string | null; fence: string }>`
      select owner_node, fence::text from tawsil.outbox where order_id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]),
      Effect.orDie
    )
  )

/** As if the engine had sent the order to `providerId` and the provider had accepted it. */
const sentTo = (orderId: string, providerId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`update tawsil.orders set provider_id = ${providerId}, dispatch_state = 'awaiting', sent_at = now()
        where id = ${orderId}`.pipe(Effect.orDie)
  )

const raw = (path: string, body: string) => postText(path, body, { token: "test-admin-token" })

describe("operator actions over HTTP", () => {
  it.layer(TestServerLive, { timeout: 60_000 })((it) => {
    it.effect("the same reject issued twice concurrently: one refund, balance restored once, both 200", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client } = yield* orderOf("op-rej2", "35.00", "100.00")
        assert.strictEqual((yield* client.orders.account()).balance, "65.00")

        const answers = yield* Effect.all(
          [
            admin.admin.reject({ params: { id: order.id }, payload: { note: "duplicate top-up" } }),
            admin.admin.reject({ params: { id: order.id }, payload: { note: "duplicate top-up" } })
          ],
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          answers.map((o) => [o.status, o.dispatch.state]),
          [
            ["rejected", "failed"],
            ["rejected", "failed"]
          ]
        )
        assert.deepStrictEqual(
          (yield* ledgerRows(order.id)).map((r) => [r.kind, r.amount, r.seq]),
          [
            ["debit", "-35.00", 0],
            ["refund", "35.00", 0]
          ]
        )
        assert.strictEqual((yield* client.orders.account()).balance, "100.00")
        assert.isUndefined(yield* outboxRow(order.id), "the engine has nothing left to do")
        const log = yield* admin.admin.orderLog({ params: { id: order.id } })
        assert.deepStrictEqual(log.items.map((e) => [e.action, e.outcome, e.actor]).sort(), [
          ["operator:reject", "noop", "admin"],
          ["operator:reject", "rejected", "admin"]
        ])
        const again = yield* admin.admin.reject({ params: { id: order.id }, payload: {} })
        assert.strictEqual(again.status, "rejected")
        assert.strictEqual((yield* ledgerRows(order.id)).length, 2)
      })
    )

    it.effect("approve twice is one effect; reject after approve → 409 InvalidTransition", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client } = yield* orderOf("op-app2", "10.00", "50.00")
        const first = yield* admin.admin.approve({ params: { id: order.id }, payload: { pin: "PIN-42" } })
        const second = yield* admin.admin.approve({ params: { id: order.id }, payload: { pin: "PIN-43" } })
        assert.strictEqual(first.status, "approved")
        assert.strictEqual(first.dispatch.state, "done")
        assert.strictEqual(first.pin, "PIN-42")
        assert.isDefined(first.completedAt)
        assert.deepStrictEqual(second, first, "the repeat answers the same order")
        assert.strictEqual((yield* ledgerRows(order.id)).length, 1, "only the debit")
        assert.strictEqual((yield* client.orders.account()).balance, "40.00")
        assert.isUndefined(yield* outboxRow(order.id))

        const refused = yield* raw(`/v1/admin/orders/${order.id}/reject`, "{}")
        const error = expectError(refused, 409, "InvalidTransition")
        assert.strictEqual(error["status"], "approved")
        assert.strictEqual((yield* client.orders.get({ params: { id: order.id } })).status, "approved")
        assert.strictEqual((yield* client.orders.account()).balance, "40.00")
      })
    )

    it.effect("approving a rejected order re-debits its exact price once", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client } = yield* orderOf("op-redebit", "12.50", "30.00")
        yield* admin.admin.reject({ params: { id: order.id }, payload: {} })
        assert.strictEqual((yield* client.orders.account()).balance, "30.00")
        const approved = yield* admin.admin.approve({
          params: { id: order.id },
          payload: { note: "delivered by hand", pin: "CODE-1" }
        })
        assert.strictEqual(approved.status, "approved")
        assert.strictEqual(approved.message, "delivered by hand")
        yield* admin.admin.approve({ params: { id: order.id }, payload: {} })
        assert.deepStrictEqual(
          (yield* ledgerRows(order.id)).map((r) => [r.kind, r.amount, r.seq]),
          [
            ["debit", "-12.50", 0],
            ["refund", "12.50", 0],
            ["redebit", "-12.50", 0]
          ]
        )
        assert.strictEqual((yield* client.orders.account()).balance, "17.50")
      })
    )

    it.effect("approving a rejected order the balance cannot cover → 402, nothing changes", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client, accountId } = yield* orderOf("op-402", "20.00", "20.00")
        yield* admin.admin.reject({ params: { id: order.id }, payload: {} })
        // the refunded money is spent elsewhere
        yield* admin.admin.credit({ params: { id: accountId }, payload: { amount: "-15.00" } })
        const before = yield* client.orders.get({ params: { id: order.id } })
        const logBefore = yield* admin.admin.orderLog({ params: { id: order.id } })

        const answer = yield* raw(`/v1/admin/orders/${order.id}/approve`, "{}")
        const error = expectError(answer, 402, "InsufficientBalance")
        assert.strictEqual(error["balance"], "5.00")
        assert.strictEqual(error["required"], "20.00")

        assert.deepStrictEqual(yield* client.orders.get({ params: { id: order.id } }), before)
        assert.strictEqual((yield* client.orders.account()).balance, "5.00")
        assert.deepStrictEqual(
          (yield* ledgerRows(order.id)).map((r) => r.kind),
          ["debit", "refund"]
        )
        assert.deepStrictEqual(yield* admin.admin.orderLog({ params: { id: order.id } }), logBefore)
      })
    )

    it.effect("the ledger: signed amounts with balances after, newest first, paged by cursor", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, accountId } = yield* orderOf("op-ledger", "7.00", "50.00")
        yield* admin.admin.reject({ params: { id: order.id }, payload: { note: "provider down" } })
        yield* admin.admin.approve({ params: { id: order.id }, payload: { note: "sent by hand" } })
        yield* admin.admin.credit({ params: { id: accountId }, payload: { amount: "-3.00", note: "fee" } })

        const all = yield* admin.admin.ledger({ params: { id: accountId }, query: {} })
        assert.deepStrictEqual(
          all.items.map((e) => [e.kind, e.amount, e.balanceAfter, e.orderId ?? null, e.note ?? null]),
          [
            ["correction", "-3.00", "40.00", null, "fee"],
            ["redebit", "-7.00", "43.00", order.id, "sent by hand"],
            ["refund", "7.00", "50.00", order.id, "provider down"],
            ["debit", "-7.00", "43.00", order.id, null],
            ["credit", "50.00", "50.00", null, null]
          ]
        )
        assert.isUndefined(all.nextCursor)

        const pages: Array<ReadonlyArray<string>> = []
        let cursor: string | undefined = undefined
        do {
          const page: typeof all = yield* admin.admin.ledger({
            params: { id: accountId },
            query: { limit: 2, ...(cursor === undefined ? {} : { cursor }) }
          })
          pages.push(page.items.map((e) => e.id))
          cursor = page.nextCursor
        } while (cursor !== undefined)
        assert.deepStrictEqual(
          pages.map((p) => p.length),
          [2, 2, 1]
        )
        assert.deepStrictEqual(
          pages.flat(),
          all.items.map((e) => e.id)
        )

        const unknown = yield* send(
          HttpClientRequest.get("/v1/admin/accounts/nobody/ledger").pipe(
            HttpClientRequest.bearerToken("test-admin-token")
          )
        )
        expectError(unknown, 404, "AccountNotFound")
        const badCursor = yield* send(
          HttpClientRequest.get(`/v1/admin/accounts/${accountId}/ledger?cursor=bm9wZQ`).pipe(
            HttpClientRequest.bearerToken("test-admin-token")
          )
        )
        assert.strictEqual(expectError(badCursor, 400, "ValidationError")["field"], "cursor")
      })
    )

    it.effect("operator actions and their notes appear in the order's log and on the order", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client } = yield* orderOf("op-log", "5.00", "20.00")
        const rejected = yield* admin.admin.reject({
          params: { id: order.id },
          payload: { note: "player id belongs to another game" }
        })
        assert.strictEqual(rejected.message, "player id belongs to another game")
        assert.strictEqual(
          (yield* client.orders.get({ params: { id: order.id } })).message,
          "player id belongs to another game"
        )
        yield* admin.admin.approve({ params: { id: order.id }, payload: { note: "corrected and delivered" } })
        const seen = yield* client.orders.get({ params: { id: order.id } })
        assert.strictEqual(seen.message, "corrected and delivered")

        const log = yield* admin.admin.orderLog({ params: { id: order.id } })
        assert.deepStrictEqual(
          log.items.map((e) => [e.action, e.outcome, e.response, e.actor]),
          [
            ["operator:reject", "rejected", "player id belongs to another game", "admin"],
            ["operator:approve", "approved, re-debited", "corrected and delivered", "admin"]
          ]
        )
        assert.isTrue(Number(log.items[0]!.id) < Number(log.items[1]!.id), "oldest first")

        const missing = yield* send(
          HttpClientRequest.get("/v1/admin/orders/00000000-0000-4000-8000-000000000000/log").pipe(
            HttpClientRequest.bearerToken("test-admin-token")
          )
        )
        expectError(missing, 404, "OrderNotFound")
        expectError(yield* raw("/v1/admin/orders/not-an-id/approve", "{}"), 404, "OrderNotFound")
      })
    )

    it.effect("dispatch: only a manual or failed order; an unknown provider is a 400", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const { order, client } = yield* orderOf("op-disp", "9.00", "20.00")
        const queued = yield* raw(`/v1/admin/orders/${order.id}/dispatch`, "{}")
        assert.strictEqual(expectError(queued, 409, "InvalidTransition")["status"], "pending")

        yield* admin.admin.reject({ params: { id: order.id }, payload: {} })
        const unknown = yield* raw(
          `/v1/admin/orders/${order.id}/dispatch`,
          JSON.stringify({ providerId: "nope" })
        )
        assert.strictEqual(expectError(unknown, 400, "ValidationError")["field"], "providerId")
        assert.strictEqual(
          (yield* client.orders.account()).balance,
          "20.00",
          "a refused dispatch moves nothing"
        )

        const again = yield* admin.admin.dispatch({
          params: { id: order.id },
          payload: { providerId: "sim" }
        })
        assert.strictEqual(again.status, "pending")
        assert.strictEqual(again.dispatch.state, "queued")
        assert.strictEqual(again.dispatch.reference, order.dispatch.reference, "one reference for ever")
        assert.isUndefined(again.completedAt)
        assert.strictEqual((yield* client.orders.account()).balance, "11.00", "charged again")
        assert.deepStrictEqual(
          (yield* ledgerRows(order.id)).map((r) => r.kind),
          ["debit", "refund", "redebit"]
        )
        // no engine in this process: the row waits, unowned, for any engine; its fence beats any earlier lease
        const outbox = yield* outboxRow(order.id)
        assert.strictEqual(outbox?.owner_node, null)
        assert.isAbove(Number(outbox?.fence), 1_000_000_000_000)

        const twice = yield* raw(`/v1/admin/orders/${order.id}/dispatch`, "{}")
        expectError(twice, 409, "InvalidTransition")
        const log = yield* admin.admin.orderLog({ params: { id: order.id } })
        assert.deepStrictEqual(log.items.at(-1)?.outcome, "requeued, re-debited")
        assert.deepStrictEqual(log.items.at(-1)?.providerId, "sim")

        // a rejected order whose re-debit would pass the overdraft limit stays as it is
        yield* admin.admin.reject({ params: { id: order.id }, payload: {} })
        yield* admin.admin.credit({
          params: { id: (yield* client.orders.account()).id },
          payload: { amount: "-15.00" }
        })
        const broke = yield* raw(`/v1/admin/orders/${order.id}/dispatch`, "{}")
        expectError(broke, 402, "InsufficientBalance")
        assert.strictEqual((yield* client.orders.get({ params: { id: order.id } })).status, "rejected")
        assert.isUndefined(yield* outboxRow(order.id))
      })
    )

    it.effect("check: asks the provider once; a final answer settles, errors are 502", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const simulator = yield* SimulatorProvider
        const { order, client } = yield* orderOf("op-check", "4.00", "20.00")
        const notSent = yield* raw(`/v1/admin/orders/${order.id}/check`, "")
        expectError(notSent, 409, "InvalidTransition")

        yield* sentTo(order.id, "sim")
        const reference = order.dispatch.reference!
        const unknownRef = yield* admin.admin.check({ params: { id: order.id } })
        assert.strictEqual(unknownRef.status, "pending")
        assert.strictEqual(unknownRef.dispatch.lastMessage, ResellerWords.processing)
        assert.isDefined(unknownRef.dispatch.lastCheckedAt)

        yield* simulator.client("sim", {}).place({
          orderId: order.id,
          reference,
          providerOrderId: undefined,
          quantity: 1,
          playerId: "5551234",
          extra: undefined,
          mapping: undefined
        })
        yield* simulator.inject("sim", "check", "transient")
        const failed = yield* raw(`/v1/admin/orders/${order.id}/check`, "")
        const error = expectError(failed, 502, "ProviderCallFailed")
        assert.strictEqual(error["reason"], "ProviderTransient")
        assert.strictEqual(error["providerId"], "sim")

        const pending = yield* admin.admin.check({ params: { id: order.id } })
        assert.strictEqual(pending.status, "pending")
        assert.strictEqual(pending.dispatch.lastMessage, ResellerWords.processing)
        const approved = yield* admin.admin.check({ params: { id: order.id } })
        assert.strictEqual(approved.status, "approved")
        assert.strictEqual(approved.pin, `PIN-${reference}`)
        assert.strictEqual((yield* client.orders.account()).balance, "16.00")
        const checks = (yield* simulator.calls).filter(
          (c) => c.operation === "check" && c.reference === reference
        )
        assert.strictEqual(checks.length, 4, "one provider call per operator check")

        const log = yield* admin.admin.orderLog({ params: { id: order.id } })
        assert.deepStrictEqual(
          log.items.map((e) => [e.action, e.outcome, e.actor, e.providerId]),
          [
            ["check", "NotFound", "admin", "sim"],
            ["operator:check", "provider does not know the reference", "admin", "sim"],
            ["check", "ProviderTransient", "admin", "sim"],
            ["operator:check", "provider call failed", "admin", "sim"],
            ["check", "Pending", "admin", "sim"],
            ["operator:check", "pending", "admin", "sim"],
            ["check", "Succeeded", "admin", "sim"],
            ["operator:check", "approved", "admin", "sim"]
          ]
        )
        assert.deepStrictEqual(log.items[0]!.request, { reference })
      })
    )

    it.effect("check: a provider's final failure rejects and refunds once", () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        const simulator = yield* SimulatorProvider
        yield* admin.admin.putProvider({
          params: { id: "sim-fail" },
          payload: { kind: "simulator", name: "Failing", enabled: true, options: { outcome: "failure" } }
        })
        const { order, client } = yield* orderOf("op-check-fail", "6.00", "20.00")
        yield* sentTo(order.id, "sim-fail")
        yield* simulator.client("sim-fail", { outcome: "failure" }).place({
          orderId: order.id,
          reference: order.dispatch.reference!,
          providerOrderId: undefined,
          quantity: 1,
          playerId: "5551234",
          extra: undefined,
          mapping: undefined
        })
        yield* admin.admin.check({ params: { id: order.id } })
        const rejected = yield* admin.admin.check({ params: { id: order.id } })
        assert.strictEqual(rejected.status, "rejected")
        assert.strictEqual(rejected.dispatch.state, "failed")
        assert.strictEqual((yield* client.orders.account()).balance, "20.00")
        // a settled order is checked and recorded, never settled a second time
        const again = yield* admin.admin.check({ params: { id: order.id } })
        assert.strictEqual(again.status, "rejected")
        assert.deepStrictEqual(
          (yield* ledgerRows(order.id)).map((r) => r.kind),
          ["debit", "refund"]
        )
        const log = yield* admin.admin.orderLog({ params: { id: order.id } })
        assert.strictEqual(log.items.at(-1)?.outcome, "rejected, not settled again")
      })
    )
  })
})
