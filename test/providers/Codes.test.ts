import { SqlClient } from "effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { eventually, engineStack } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"

describe("codes inventory as a provider", () => {
  it.effect("100 concurrent orders on 50 codes: 50 approved with 50 distinct codes, 50 to the fallback", () =>
    Effect.gen(function* () {
      const admin = yield* adminClient
      const sql = yield* SqlClient.SqlClient
      const stocked = yield* admin.admin.addCodes({
        params: { id: "pubg-325" },
        payload: { codes: Array.from({ length: 50 }, (_, i) => ({ pin: `CODE-${i}`, serial: `S${i}` })) }
      })
      assert.deepStrictEqual([stocked.added, stocked.available, stocked.lowStock], [50, 50, false])
      yield* admin.admin.putProvider({
        params: { id: "stock" },
        payload: { kind: "codes", name: "Inventory", enabled: true, options: { groupId: "pubg-325" } }
      })
      yield* admin.admin.putProvider({
        params: { id: "sim" },
        payload: { kind: "simulator", name: "Sim", enabled: true, options: { checksBeforeFinal: 0 } }
      })
      yield* admin.admin.putPackage({
        params: { id: "pubg" },
        payload: {
          name: "PUBG",
          price: "1.00",
          currency: "USD",
          enabled: true,
          route: { mode: "auto", primary: "stock", fallback: "sim" },
          mappings: {}
        }
      })
      const { client } = yield* resellerWithBalance("100.00")
      const created = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) =>
          client.orders.create({
            payload: { packageId: "pubg", playerId: `p${i}`, quantity: 1 },
            headers: {}
          }),
        { concurrency: "unbounded" }
      )
      const rows = sql<{ status: string; provider_id: string; pin: string | null; dispatch_state: string }>`
        select status, provider_id, pin, dispatch_state from tawsil.orders`
      // the inventory settles at once; the 50 that found the group empty were sent to the simulator
      const settled = yield* eventually(
        rows,
        (r) =>
          r.length === 100 && r.every((o) => o.dispatch_state !== "queued" && o.dispatch_state !== "sending")
      )
      const fromStock = settled.filter((o) => o.provider_id === "stock")
      assert.strictEqual(fromStock.length, 50)
      assert.isTrue(fromStock.every((o) => o.status === "approved"))
      assert.strictEqual(new Set(fromStock.map((o) => o.pin)).size, 50, "no code handed out twice")
      assert.strictEqual(settled.filter((o) => o.provider_id === "sim").length, 50)
      const used = yield* sql<{
        count: string
      }>`select count(*) from tawsil.codes where status = 'used' and order_id is not null`
      assert.strictEqual(Number(used[0]!.count), 50)
      const stock = yield* admin.admin.codeStock()
      assert.deepStrictEqual(
        stock.map((g) => [g.groupId, g.available, g.used, g.lowStock]),
        [["pubg-325", 0, 50, true]]
      )
      const ids = new Set(created.map((o) => o.id))
      assert.strictEqual(ids.size, 100)
      const balance = yield* admin.admin.providerBalance({ params: { id: "stock" } })
      assert.strictEqual(balance.balance, "0")
      const missing = yield* Effect.result(admin.admin.providerBalance({ params: { id: "nope" } }))
      assert.isTrue(Result.isFailure(missing) && missing.failure._tag === "ProviderNotFound")
    }).pipe(Effect.provide(engineStack()))
  )
})
