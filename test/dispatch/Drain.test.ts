import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
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
import { TestDatabase } from "../support/TestDatabase.js"

describe("dispatch: graceful shutdown", () => {
  it.effect("sends in flight finish within the grace period and are recorded before the fibers stop", () =>
    Effect.gen(function* () {
      const node = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        engineOn({ ...quietNode, shutdownGrace: Duration.seconds(30) }),
        node
      )
      const orders = yield* Effect.gen(function* () {
        yield* simulatorProvider("slow", { sendLatencyMs: 5000, checksBeforeFinal: 1000 })
        yield* routedPackage("slow-pkg", { mode: "auto", primary: "slow" }, "10.00")
        const { client } = yield* resellerWithBalance("100.00")
        const sendsInFlight = yield* sleepRegistered(5000, 2)
        const created = yield* Effect.forEach([1, 2], () =>
          client.orders.create({
            payload: { packageId: "slow-pkg", playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        yield* eventually(simulatorCalls("place", "slow"), (calls) => calls.length === 2)
        yield* sendsInFlight
        return created
      }).pipe(Effect.provide(context))

      const closing = yield* Effect.forkChild(Scope.close(node, Exit.void))
      // the node waits for its two sends (5 s on the TestClock) instead of interrupting them
      yield* TestClock.adjust("5 seconds")
      const closed = yield* eventually(
        Effect.andThen(
          TestClock.adjust("100 millis"),
          Effect.sync(() => closing.pollUnsafe())
        ),
        (exit) => exit !== undefined
      )
      assert.isTrue(closed !== undefined && Exit.isSuccess(closed))
      for (const order of orders) {
        const row = yield* orderRow(order.id)
        assert.strictEqual(row.dispatch_state, "awaiting", "the finished send was recorded")
        assert.strictEqual(row.attempts, 1)
      }
      const sql = yield* SqlClient.SqlClient
      const owners = yield* sql<{ owner_node: string | null }>`select owner_node from tawsil.outbox`
      assert.deepStrictEqual(
        owners.map((o) => o.owner_node),
        [null, null],
        "released for another node"
      )
    }).pipe(Effect.provide(TestDatabase))
  )
})
