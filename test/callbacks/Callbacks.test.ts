import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Logger, Scope } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { verifySignature } from "../../src/callbacks/CallbackSignature.js"
import { jsonLogger } from "../../src/observability/Logging.js"
import { TestDatabase } from "../support/TestDatabase.js"
import { engineOn, engineStack, eventually, quietNode, routedPackage } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"
import { callbackReceiver, type ReceivedCallback } from "./CallbackReceiver.js"

/** Moves the TestClock on by `step` before each probe: the worker's polls, backoffs and timeouts run on it. */
const advancing = <A, E, R>(
  probe: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  step: Duration.Input = "1 second"
) => eventually(Effect.andThen(TestClock.adjust(step), probe), done)

interface DeliveryRow {
  readonly id: string
  readonly order_id: string
  readonly state: string
  readonly attempts: number
  readonly last_error: string | null
}

const deliveries = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<DeliveryRow>`select id, order_id, state, attempts, last_error from tawsil.callback_deliveries order by seq`.pipe(
    Effect.orDie
  )
)

const received = (r: { readonly received: Array<ReceivedCallback> }) => Effect.sync(() => [...r.received])

/** A reseller whose orders of package "by-hand" go straight to `manual` (one settlement event each). */
const manualSetup = Effect.gen(function* () {
  yield* routedPackage("by-hand", { mode: "manual" }, "5.00")
  return yield* resellerWithBalance("50.00")
})

const manualOrder = (client: Effect.Success<typeof manualSetup>["client"]) =>
  client.orders.create({ payload: { packageId: "by-hand", playerId: "5551234", quantity: 1 }, headers: {} })

describe("settlement callbacks", () => {
  it.effect(
    "signed with the account's secret, the order as GET answers it, in order per order; the secret in no log line",
    () => {
      const lines: Array<string> = []
      return Effect.scoped(
        Effect.gen(function* () {
          const receiver = yield* callbackReceiver([])
          const admin = yield* adminClient
          const { client, accountId } = yield* manualSetup
          const set = yield* client.orders.putCallback({ payload: { url: receiver.url } })
          assert.strictEqual(set.url, receiver.url)
          assert.match(set.secret, /^whsec_/, "a secret is generated when none is given")

          const order = yield* manualOrder(client)
          const first = yield* advancing(received(receiver), (r) => r.length === 1)
          const body = first[0]!.body
          const signature = String(first[0]!.headers["tawsil-signature"])
          assert.isTrue(verifySignature(set.secret, signature, body), "verifiable with the secret")
          assert.isFalse(verifySignature("another-secret-entirely", signature, body))
          assert.isFalse(verifySignature(set.secret, signature, body.replace("manual", "approved")))
          const parsed = JSON.parse(body) as Record<string, unknown>
          const asGet = yield* client.orders.get({ params: { id: order.id } })
          const eventId = first[0]!.headers["tawsil-event-id"]
          assert.deepStrictEqual(parsed, { ...JSON.parse(JSON.stringify(asGet)), eventId })
          assert.strictEqual((parsed["dispatch"] as { state: string }).state, "manual")

          // the operator settles it: a second event, after the first
          yield* admin.admin.approve({ params: { id: order.id }, payload: { pin: "PIN-1" } })
          const both = yield* advancing(received(receiver), (r) => r.length === 2)
          const second = JSON.parse(both[1]!.body) as { status: string; pin: string; eventId: string }
          assert.strictEqual(second.status, "approved")
          assert.strictEqual(second.pin, "PIN-1")
          assert.notStrictEqual(second.eventId, eventId)
          const rows = yield* eventually(deliveries, (d) => d.every((row) => row.state === "delivered"))
          assert.deepStrictEqual(
            rows.map((row) => row.id),
            [eventId, second.eventId]
          )

          // admin side, with a secret of the operator's choosing; removing it queues nothing more
          const chosen = "an-operator-chosen-secret-0123456789"
          const adminSet = yield* admin.admin.putAccountCallback({
            params: { id: accountId },
            payload: { url: receiver.url, secret: chosen }
          })
          assert.strictEqual(adminSet.secret, chosen)
          const third = yield* manualOrder(client)
          const three = yield* advancing(received(receiver), (r) => r.length === 3)
          assert.isTrue(
            verifySignature(chosen, String(three[2]!.headers["tawsil-signature"]), three[2]!.body)
          )
          assert.strictEqual((JSON.parse(three[2]!.body) as { id: string }).id, third.id)
          yield* client.orders.deleteCallback()
          yield* manualOrder(client)
          yield* TestClock.adjust("5 seconds")
          assert.strictEqual((yield* deliveries).length, 3, "no callback URL, no event")

          const text = lines.join("\n")
          assert.include(text, "callback delivered")
          assert.notInclude(text, set.secret)
          assert.notInclude(text, chosen)
        })
      ).pipe(
        Effect.provide(engineStack(quietNode)),
        Effect.provide(Logger.layer([Logger.map(jsonLogger, (line) => void lines.push(line))]))
      )
    }
  )

  it.effect("a URL that is not http(s) is a 400 naming `url`; an unknown account a 404", () =>
    Effect.gen(function* () {
      const { apiKey } = yield* resellerWithBalance("1.00")
      const http = yield* HttpClient.HttpClient
      for (const url of ["ftp://example.com/hook", "not a url", "javascript:alert(1)"]) {
        const response = yield* http.execute(
          HttpClientRequest.put("/v1/account/callback").pipe(
            HttpClientRequest.bearerToken(apiKey),
            HttpClientRequest.bodyJsonUnsafe({ url })
          )
        )
        assert.strictEqual(response.status, 400, url)
        const error = (yield* response.json) as { _tag: string; field: string }
        assert.strictEqual(error._tag, "ValidationError")
        assert.strictEqual(error.field, "url")
      }
      const admin = yield* adminClient
      const missing = yield* Effect.flip(
        admin.admin.putAccountCallback({
          params: { id: "acc_missing" },
          payload: { url: "https://example.com/h" }
        })
      )
      assert.strictEqual(missing._tag, "AccountNotFound")
    }).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect(
    "500, a hang (timeout), a dropped connection: retried with backoff until delivered; visible and replayable",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const receiver = yield* callbackReceiver(["fail", "hang", "drop"])
          const admin = yield* adminClient
          const { client } = yield* manualSetup
          yield* client.orders.putCallback({ payload: { url: receiver.url } })
          yield* manualOrder(client)

          yield* advancing(received(receiver), (r) => r.length === 1)
          const pending = yield* eventually(
            admin.admin.listCallbacks({ query: { state: "pending" } }),
            (d) => d.length === 1 && d[0]!.lastError !== undefined
          )
          assert.match(pending[0]!.lastError!, /^status 500: oops x+…$/)
          assert.isAtMost(pending[0]!.lastError!.length, 220, "the answer is cut short")
          // 5 s later the second attempt hangs; 10 s later it times out; 10 s after that, a dropped connection
          yield* advancing(received(receiver), (r) => r.length === 2)
          const afterHang = yield* advancing(
            deliveries,
            (d) => d[0]!.last_error?.startsWith("no answer") === true
          )
          assert.strictEqual(afterHang[0]!.attempts, 2)
          yield* advancing(received(receiver), (r) => r.length === 3)
          yield* advancing(deliveries, (d) => d[0]!.last_error?.startsWith("unreachable") === true)
          // the receiver is back: delivered at the next attempt (after 20 s)
          const done = yield* advancing(deliveries, (d) => d[0]!.state === "delivered")
          assert.strictEqual(done[0]!.attempts, 4)
          assert.deepStrictEqual(
            (yield* received(receiver)).map((r) => r.behaviour),
            ["fail", "hang", "drop", "ok"]
          )
          const eventIds = new Set((yield* received(receiver)).map((r) => r.headers["tawsil-event-id"]))
          assert.strictEqual(eventIds.size, 1, "one event id on every attempt")

          // an operator replays a delivered event: sent again
          const replayed = yield* admin.admin.replayCallback({ params: { id: done[0]!.id } })
          assert.strictEqual(replayed.state, "pending")
          yield* advancing(received(receiver), (r) => r.length === 5)
          yield* eventually(deliveries, (d) => d[0]!.state === "delivered")
        })
      ).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("a receiver failing for 24 h: failed, listed, replayed once it answers", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const receiver = yield* callbackReceiver([], "fail")
        const admin = yield* adminClient
        const { client } = yield* manualSetup
        yield* client.orders.putCallback({ payload: { url: receiver.url } })
        yield* manualOrder(client)
        yield* advancing(deliveries, (d) => d[0]?.state === "failed", "10 minutes")
        const failed = yield* admin.admin.listCallbacks({ query: { state: "failed" } })
        assert.strictEqual(failed.length, 1)
        receiver.setOtherwise("ok")
        yield* admin.admin.replayCallback({ params: { id: failed[0]!.id } })
        yield* advancing(deliveries, (d) => d[0]!.state === "delivered")
      })
    ).pipe(Effect.provide(engineStack(quietNode)))
  )

  it.effect("nothing lost over a restart of the engine: the rows survive, a new engine delivers them", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const receiver = yield* callbackReceiver([], "fail")
        const node1 = yield* Scope.make()
        const context = yield* Layer.buildWithScope(engineOn(quietNode), node1)
        const { orderId } = yield* Effect.gen(function* () {
          const { client } = yield* manualSetup
          yield* client.orders.putCallback({ payload: { url: receiver.url } })
          const order = yield* manualOrder(client)
          yield* advancing(received(receiver), (r) => r.length === 1)
          return { orderId: order.id }
        }).pipe(Effect.provide(context))
        yield* Scope.close(node1, Exit.void)
        const left = yield* deliveries
        assert.strictEqual(left.length, 1)
        assert.strictEqual(left[0]!.state, "pending")
        assert.strictEqual(left[0]!.order_id, orderId)

        receiver.setOtherwise("ok")
        const node2 = yield* Layer.build(engineOn(quietNode))
        assert.isDefined(Context.getOption(node2, SqlClient.SqlClient))
        const done = yield* advancing(deliveries, (d) => d[0]!.state === "delivered")
        assert.strictEqual(done[0]!.id, left[0]!.id)
        const bodies = (yield* received(receiver)).map((r) => JSON.parse(r.body) as { eventId: string })
        assert.deepStrictEqual(
          bodies.map((b) => b.eventId),
          [left[0]!.id, left[0]!.id]
        )
      })
    ).pipe(Effect.provide(TestDatabase))
  )
})
