import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { eventually, engineStack, orderRow } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"

describe("dispatch: the happy path, on TestClock", () => {
  it.effect(
    "create → one place with the order's reference → no check before 10 s → checks every 10 s → approved with PIN",
    () =>
      Effect.gen(function* () {
        const admin = yield* adminClient
        yield* admin.admin.putProvider({
          params: { id: "sim" },
          payload: {
            kind: "simulator",
            name: "Sim",
            enabled: true,
            options: { sendLatencyMs: 2000, checksBeforeFinal: 1 }
          }
        })
        yield* admin.admin.putPackage({
          params: { id: "pubg" },
          payload: {
            name: "PUBG",
            price: "35.00",
            currency: "USD",
            enabled: true,
            route: { mode: "auto", primary: "sim" },
            mappings: {}
          }
        })
        const { client } = yield* resellerWithBalance("100.00")
        const simulator = yield* SimulatorProvider

        const created = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        assert.strictEqual(created.dispatch.state, "queued")
        const get = client.orders.get({ params: { id: created.id } })

        // the send is in flight (the simulator takes 2 s): the order shows `sending`
        yield* eventually(get, (o) => o.dispatch.state === "sending")
        yield* TestClock.adjust("2 seconds")
        const accepted = yield* eventually(get, (o) => o.dispatch.state === "awaiting")
        assert.strictEqual(accepted.status, "pending")
        assert.strictEqual(accepted.dispatch.attempts, 1)
        const places = (yield* simulator.calls).filter((c) => c.operation === "place")
        assert.deepStrictEqual(
          places.map((c) => c.reference),
          [created.dispatch.reference]
        )

        const checks = simulator.calls.pipe(
          Effect.map((calls) => calls.filter((c) => c.operation === "check"))
        )
        yield* TestClock.adjust("9999 millis")
        assert.strictEqual((yield* checks).length, 0, "no check before one interval")
        yield* TestClock.adjust("1 millis")
        yield* eventually(checks, (c) => c.length === 1)
        yield* eventually(get, (o) => o.dispatch.lastCheckedAt !== undefined)
        assert.strictEqual((yield* get).status, "pending", "the first check answers `processing`")

        yield* TestClock.adjust("10 seconds")
        const done = yield* eventually(get, (o) => o.status === "approved")
        assert.strictEqual(done.dispatch.state, "done")
        assert.strictEqual(done.pin, `PIN-${created.dispatch.reference}`)
        assert.strictEqual((yield* checks).length, 2)
        assert.strictEqual((yield* client.orders.account()).balance, "65.00", "approval moves no money")
        const row = yield* orderRow(created.id)
        assert.strictEqual(row.dispatch_state, "done")
      }).pipe(Effect.provide(engineStack()))
  )
})
