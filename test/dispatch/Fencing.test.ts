import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import { Outbox } from "../../src/dispatch/Outbox.js"
import type { SimulatorOptions } from "../../src/providers/ProviderConfig.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { TestDatabase } from "../support/TestDatabase.js"
import {
  dispatchLogOf,
  engineOn,
  eventually,
  orderRow,
  outboxOf,
  quietNode,
  routedPackage,
  simulatorProvider,
  sleepRegistered
} from "../support/TestEngine.js"
import { resellerWithBalance } from "../support/TestServer.js"

/** Real time for I/O that must not happen (a stale fiber's call or write) to have had its chance. */
const ioGrace = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 200)))

/** One engine node (HTTP server, services, dispatcher, its own simulator) on the test's database. */
const startNode = (scope: Scope.Scope) => Layer.buildWithScope(engineOn(quietNode), scope)
type Node = Effect.Success<ReturnType<typeof startNode>>

/**
 * Node 1 takes an order and sends it; its fiber then sleeps until the first status check, at 10 s. Then its
 * heartbeat is made two days old in the database while its own gate still finds it fresh (a process that was
 * paused and has just resumed), so another node may take the order over.
 */
const awaitingOnFirstNode = (node1: Node, options: SimulatorOptions) =>
  Effect.gen(function* () {
    const order = yield* Effect.gen(function* () {
      yield* simulatorProvider("sim", options)
      yield* routedPackage("pubg", { mode: "auto", primary: "sim" }, "10.00")
      const { client } = yield* resellerWithBalance("100.00")
      const firstCheck = yield* sleepRegistered(10_000)
      const created = yield* client.orders.create({
        payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
        headers: {}
      })
      yield* eventually(orderRow(created.id), (row) => row.dispatch_state === "awaiting")
      yield* firstCheck
      return created
    }).pipe(Effect.provide(node1))
    const nodeId = Context.get(node1, Dispatcher).nodeId
    assert.deepStrictEqual(yield* outboxOf(order.id), { owner_node: nodeId, fence: "1" })
    const sql = yield* SqlClient.SqlClient
    yield* sql`update tawsil.nodes set heartbeat_at = now() - interval '2 days' where id = ${nodeId}`.pipe(
      Effect.orDie
    )
    return order
  })

/** A second node starts; its claim loop takes the order over (fence 2). */
const claimedBySecondNode = (orderId: string, node2Scope: Scope.Scope) =>
  Effect.gen(function* () {
    const node2 = yield* startNode(node2Scope)
    const nodeId = Context.get(node2, Dispatcher).nodeId
    const row = yield* eventually(outboxOf(orderId), (r) => r?.owner_node === nodeId, "node 2 owns the order")
    assert.strictEqual(row?.fence, "2")
    return node2
  })

const checksOf = (node: Node) =>
  Effect.map(Context.get(node, SimulatorProvider).calls, (calls) =>
    calls.filter((call) => call.operation === "check").map((call) => call.atMillis)
  )
const placesOf = (node: Node) =>
  Effect.map(Context.get(node, SimulatorProvider).calls, (calls) =>
    calls.filter((c) => c.operation === "place")
  )

const logOutcomes = (orderId: string) =>
  Effect.map(dispatchLogOf(orderId), (entries) => entries.map((entry) => `${entry.action}:${entry.outcome}`))

/** The stale fiber has stopped; nothing more comes from node 1 while time passes. */
const firstNodeStaysSilent = (node1: Node) =>
  Effect.gen(function* () {
    const dispatcher = Context.get(node1, Dispatcher)
    yield* eventually(dispatcher.inFlight, (n) => n === 0, "node 1's stale order fiber has stopped")
    yield* TestClock.adjust("1 minute")
    yield* ioGrace
    assert.deepStrictEqual(yield* checksOf(node1), [10_000], "no provider call after the refused write")
    assert.strictEqual((yield* placesOf(node1)).length, 1, "never re-sent by the stale fiber")
    assert.strictEqual(yield* dispatcher.inFlight, 0)
  })

describe("dispatch: fencing (two nodes, one order)", () => {
  it.effect(
    "a second node claims the order while the first still runs: the first's write is refused and it makes no further provider call",
    () =>
      Effect.gen(function* () {
        const node1 = yield* startNode(yield* Effect.scope)
        const order = yield* awaitingOnFirstNode(node1, { checksBeforeFinal: 1000 })
        const node2 = yield* claimedBySecondNode(order.id, yield* Effect.scope)
        const node2Id = Context.get(node2, Dispatcher).nodeId

        // node 1's fiber wakes with its old lease: the check answers "processing", recording it is refused
        yield* TestClock.adjust("10 seconds")
        yield* firstNodeStaysSilent(node1)
        const row = yield* orderRow(order.id)
        assert.strictEqual(row.status, "pending")
        assert.strictEqual(row.dispatch_state, "awaiting")
        assert.notInclude(yield* logOutcomes(order.id), "check:Pending", "node 1's check was never recorded")
        assert.deepStrictEqual(yield* outboxOf(order.id), { owner_node: node2Id, fence: "2" })
        // node 2's fiber reads the order back before it sleeps (real I/O): its first check may be registered after
        // the jumps above, so the clock moves on until it comes
        yield* eventually(
          Effect.andThen(TestClock.adjust("10 seconds"), checksOf(node2)),
          (checks) => checks.length > 0,
          "the new owner polls the order"
        )
      }).pipe(Effect.scoped, Effect.provide(TestDatabase))
  )

  it.effect(
    "the order comes back to the first node under a new fence while its old fiber still runs: the old fiber cannot settle it",
    () =>
      Effect.gen(function* () {
        const node1 = yield* startNode(yield* Effect.scope)
        const node1Id = Context.get(node1, Dispatcher).nodeId
        const order = yield* awaitingOnFirstNode(node1, { checksBeforeFinal: 0 })

        // node 2 takes the order, then stops and releases it at once
        const node2Scope = yield* Scope.make()
        yield* claimedBySecondNode(order.id, node2Scope)
        yield* Scope.close(node2Scope, Exit.void)
        assert.deepStrictEqual(yield* outboxOf(order.id), { owner_node: null, fence: "2" })

        // node 1's claim loop (its statement, run now) takes it back: same owner as the old fiber's lease, new fence
        const outbox = yield* Effect.provide(Outbox, Outbox.layer)
        const reclaimed = yield* outbox.claim(node1Id, Duration.days(1), 500)
        assert.deepStrictEqual(reclaimed, [{ orderId: order.id, nodeId: node1Id, fence: 3 }])

        // the old fiber (fence 1) wakes: the provider answers "delivered", and its approval must be refused
        yield* TestClock.adjust("10 seconds")
        yield* firstNodeStaysSilent(node1)
        const row = yield* orderRow(order.id)
        assert.strictEqual(row.status, "pending", "a stale lease settles nothing")
        assert.strictEqual(row.dispatch_state, "awaiting")
        assert.isNull(row.pin)
        assert.deepStrictEqual(yield* logOutcomes(order.id), ["send:Accepted"])
        assert.deepStrictEqual(yield* outboxOf(order.id), { owner_node: node1Id, fence: "3" })
      }).pipe(Effect.scoped, Effect.provide(TestDatabase))
  )
})
