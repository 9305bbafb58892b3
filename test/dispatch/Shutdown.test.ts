import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Duration, Effect, Exit, Layer, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { TestDatabase } from "../support/TestDatabase.js"
import {
  engineOn,
  eventually,
  orderRow,
  quietNode,
  routedPackage,
  simulatorCalls,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"

/** Real time for I/O that should not happen (a surviving fiber's call or write) to have had its chance. */
const ioGrace = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 200)))

const outboxRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{
    order_id: string
    owner_node: string | null
  }>`select order_id, owner_node from tawsil.outbox order by order_id`.pipe(Effect.orDie)
)
const count = (table: "dispatch_log" | "nodes") =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ count: string }>`select count(*)::text as count from ${sql(`tawsil.${table}`)}`.pipe(
      Effect.map((rows) => Number(rows[0]?.count)),
      Effect.orDie
    )
  )

/** Two orders awaiting the `fast` provider's answer, then two whose sends to `slow` (5 s) are in flight. */
const busyNode = Effect.gen(function* () {
  yield* simulatorProvider("fast", { checksBeforeFinal: 1000 })
  yield* simulatorProvider("slow", { sendLatencyMs: 5000 })
  yield* routedPackage("fast-pkg", { mode: "auto", primary: "fast" }, "10.00")
  yield* routedPackage("slow-pkg", { mode: "auto", primary: "slow" }, "10.00")
  const { client } = yield* resellerWithBalance("100.00")
  const create = (packageId: string) =>
    Effect.map(
      client.orders.create({ payload: { packageId, playerId: "5551234", quantity: 1 }, headers: {} }),
      (created) => {
        const reference = created.dispatch.reference
        assert.isDefined(reference)
        return { id: created.id, reference }
      }
    )
  const fast = [yield* create("fast-pkg"), yield* create("fast-pkg")]
  for (const order of fast) {
    yield* eventually(orderRow(order.id), (row) => row.dispatch_state === "awaiting")
  }
  const sendsInFlight = yield* sleepRegistered(5000, 2)
  const slow = [yield* create("slow-pkg"), yield* create("slow-pkg")]
  yield* eventually(simulatorCalls("place", "slow"), (calls) => calls.length === 2)
  yield* sendsInFlight
  for (const order of slow) assert.strictEqual((yield* orderRow(order.id)).dispatch_state, "sending")
  return { fast, slow }
})

describe("dispatch: shutdown", () => {
  it.effect(
    "closing the engine's scope interrupts every order fiber, counts no interrupted send, and releases the node's orders to another node",
    () =>
      Effect.acquireUseRelease(
        Scope.make(),
        (node1) =>
          Effect.gen(function* () {
            const context = yield* Layer.buildWithScope(engineOn(quietNode), node1)
            const { fast, slow } = yield* Effect.provide(busyNode, context)
            const dispatcher = Context.get(context, Dispatcher)
            const simulator = Context.get(context, SimulatorProvider)
            assert.strictEqual(yield* dispatcher.inFlight, 4)
            const callsBefore = yield* simulator.calls
            const logBefore = yield* count("dispatch_log")
            assert.strictEqual(yield* count("nodes"), 1)

            yield* Scope.close(node1, Exit.void)
            assert.strictEqual(yield* dispatcher.inFlight, 0, "no order fiber outlives the engine's scope")
            assert.deepStrictEqual(
              (yield* outboxRows).map((row) => row.owner_node),
              [null, null, null, null],
              "every order of the stopped node can be claimed at once"
            )
            assert.strictEqual(yield* count("nodes"), 0, "the node is gone from the cluster")

            // time passes: a fiber that survived would finish its send (5 s) or check (10 s) now
            yield* TestClock.adjust("1 minute")
            yield* ioGrace
            assert.deepStrictEqual(yield* simulator.calls, callsBefore, "no provider call after the shutdown")
            assert.strictEqual(yield* count("dispatch_log"), logBefore, "no engine write after the shutdown")
            for (const order of slow) {
              const row = yield* orderRow(order.id)
              assert.strictEqual(
                row.dispatch_state,
                "sending",
                "an interrupted send may have reached the provider"
              )
              assert.strictEqual(row.attempts, 0, "an interrupted send is not an attempt")
              assert.strictEqual(row.status, "pending")
            }
            for (const order of fast) {
              const row = yield* orderRow(order.id)
              assert.strictEqual(row.dispatch_state, "awaiting")
              assert.strictEqual(row.attempts, 1)
            }

            // another node takes them over: a `sending` order is checked by reference before it is re-sent (the
            // new node's simulator never saw it), an `awaiting` order is only watched, never re-sent. The resend
            // quiet period (Ambiguous.test.ts) is off here so that "never seen" is trusted at once.
            const resends = yield* sleepRegistered((yield* Clock.currentTimeMillis) + 5000, 2)
            yield* Effect.scoped(
              Effect.gen(function* () {
                const node2 = yield* Layer.build(engineOn({ ...quietNode, resendQuietPeriod: Duration.zero }))
                const dispatcher2 = Context.get(node2, Dispatcher)
                const simulator2 = Context.get(node2, SimulatorProvider)
                const owners = yield* eventually(outboxRows, (rows) =>
                  rows.every((row) => row.owner_node === dispatcher2.nodeId)
                )
                assert.strictEqual(owners.length, 4)
                assert.strictEqual(yield* dispatcher2.inFlight, 4)
                const callsOf = (reference: string) =>
                  Effect.map(simulator2.calls, (calls) =>
                    calls.filter((call) => call.reference === reference).map((call) => call.operation)
                  )
                for (const order of slow) {
                  yield* eventually(callsOf(order.reference), (ops) => ops.length === 2)
                  assert.deepStrictEqual(yield* callsOf(order.reference), ["check", "place"])
                }
                yield* resends
                yield* TestClock.adjust("10 seconds")
                for (const order of slow) {
                  const row = yield* eventually(orderRow(order.id), (r) => r.dispatch_state === "awaiting")
                  assert.strictEqual(row.attempts, 1, "the re-send is the order's first answered attempt")
                }
                // sent at 0 s by the TestClock and taken over at 60 s: checked at once, again 10 s later
                for (const order of fast) {
                  const ops = yield* eventually(callsOf(order.reference), (o) => o.length > 0)
                  assert.isTrue(
                    ops.length > 0 && ops.every((op) => op === "check"),
                    `an accepted order is never re-sent: ${ops.join(", ")}`
                  )
                }
              })
            )
          }),
        (node1) => Scope.close(node1, Exit.void)
      ).pipe(Effect.provide(TestDatabase))
  )
})
