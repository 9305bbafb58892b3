/**
 * Tawsil-to-Tawsil chains (issue #17 point 2): two instances in one test, each with its own database, HTTP server
 * and engine, on real time. A's Barakat provider is B's client API; B's is the Barakat wire simulator, or A again.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Context, Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { ResellerWords } from "../../src/providers/ResellerWords.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import {
  clientCall,
  barakatAnswer,
  orderAndDebitCounts,
  PlaceAnswer,
  serverUrl,
  storedInstanceId
} from "../support/ClientApiCalls.js"
import { engineStack, eventually } from "../support/TestEngine.js"
import { adminClient, resellerWithBalance } from "../support/TestServer.js"
import { barakatPubg, putBarakat, putPackage, realPause } from "../support/WireEngine.js"

const settings = { pollInterval: Duration.millis(300), heartbeatInterval: Duration.hours(1) }

/** One Tawsil: its services, HTTP server and engine over a fresh database, built in the test's scope. */
const startInstance = Layer.build(engineStack(settings))

/** Runs `effect` against one instance (its services, database and HTTP client). */
const on =
  <S>(instance: Context.Context<S>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.provide(effect, instance)

/** An order row as the engine left it, found by id or by its idempotency key (the caller's `order_uuid`). */
const orderRow = (where: { readonly id: string } | { readonly orderUuid: string }) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      id: string
      status: string
      dispatch_state: string
      pin: string | null
      last_message: string | null
      chain: ReadonlyArray<string> | null
    }>`select id, status, dispatch_state, pin, last_message, chain from tawsil.orders
       where ${"id" in where ? sql`id = ${where.id}` : sql`idempotency_key = ${where.orderUuid}`}`.pipe(
      Effect.map((rows) => rows[0]),
      Effect.orDie
    )
  )

const balanceOf = (accountId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ balance: string }>`select balance::text from tawsil.accounts where id = ${accountId}`.pipe(
      Effect.map((rows) => rows[0]!.balance),
      Effect.orDie
    )
  )

describe("Tawsil → Tawsil chains", () => {
  it.live(
    "A → B → provider: approved on both with B's PIN; a retried newOrder creates nothing new; books exact on both",
    () =>
      Effect.gen(function* () {
        const onA = on(yield* startInstance)
        const onB = on(yield* startInstance)
        const sim = yield* BarakatSimulator.start({ outcome: "success", pollsBeforeFinal: 1 })

        // B sells "pubg" through the simulator to A's account on B
        const aAtB = yield* onB(
          Effect.gen(function* () {
            const admin = yield* adminClient
            yield* putBarakat(admin, "sim", sim)
            yield* putPackage(admin, "pubg", { mode: "auto", primary: "sim" }, { sim: barakatPubg }, "4.00")
            return yield* resellerWithBalance("100.00", { name: "Tawsil A" })
          })
        )
        const urlB = yield* onB(serverUrl)
        // A sells "pubg" through B, whose product id is B's package id
        const reseller = yield* onA(
          Effect.gen(function* () {
            const admin = yield* adminClient
            yield* putBarakat(admin, "b", { baseUrl: urlB, token: aAtB.apiKey })
            yield* putPackage(admin, "pubg", { mode: "auto", primary: "b" }, { b: { sku: "pubg" } }, "5.00")
            return yield* resellerWithBalance("50.00")
          })
        )
        const idA = (yield* onA(storedInstanceId))!
        const idB = (yield* onB(storedInstanceId))!
        assert.notStrictEqual(idA, idB)

        const created = yield* onA(
          reseller.client.orders.create({
            payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        const approvedA = yield* onA(
          eventually(
            reseller.client.orders.get({ params: { id: created.id } }),
            (o) => o.status === "approved"
          )
        )
        const atB = (yield* onB(orderRow({ orderUuid: created.id })))!
        assert.deepInclude(atB, { status: "approved", dispatch_state: "done", pin: `PIN-${atB.id}` })
        assert.deepStrictEqual(atB.chain, [idA], "A's call carried A's id")
        assert.strictEqual(approvedA.pin, `PIN-${atB.id}`, "A approved with B's PIN")
        assert.strictEqual(yield* sim.placements(atB.id), 1)

        // A's newOrder again (a retry after a lost answer): the same order on B, nothing charged
        const countsB = yield* onB(orderAndDebitCounts)
        const again = barakatAnswer(PlaceAnswer)(
          yield* onB(
            clientCall(
              "newOrder/pubg/params",
              aAtB.apiKey,
              { qty: "1", uid: "5551234", order_uuid: created.id },
              { headers: { "x-tawsil-chain": idA } }
            )
          )
        )
        assert.strictEqual(again.data.order_id, atB.id)
        assert.deepStrictEqual(yield* onB(orderAndDebitCounts), countsB)
        assert.deepStrictEqual(countsB, { orders: 1, debits: 1 })
        assert.deepStrictEqual(yield* onA(orderAndDebitCounts), { orders: 1, debits: 1 })

        assert.strictEqual(yield* onA(balanceOf(reseller.accountId)), "45.00")
        assert.strictEqual(yield* onB(balanceOf(aAtB.accountId)), "96.00")
        assert.strictEqual(yield* sim.placements(atB.id), 1, "never sent twice")
      }),
    60_000
  )

  it.live(
    "A → B → A: A refuses with LOOP_DETECTED, B's order goes manual with the reason, then A's: nothing charged twice, no endless calls",
    () =>
      Effect.gen(function* () {
        const onA = on(yield* startInstance)
        const onB = on(yield* startInstance)
        const urlA = yield* onA(serverUrl)
        const urlB = yield* onB(serverUrl)
        const bAtA = yield* onA(resellerWithBalance("100.00", { name: "Tawsil B" }))
        const aAtB = yield* onB(resellerWithBalance("100.00", { name: "Tawsil A" }))
        // each sells "loop" through the other
        yield* onA(
          Effect.flatMap(adminClient, (admin) =>
            Effect.andThen(
              putBarakat(admin, "b", { baseUrl: urlB, token: aAtB.apiKey }),
              putPackage(admin, "loop", { mode: "auto", primary: "b" }, { b: { sku: "loop" } }, "5.00")
            )
          )
        )
        yield* onB(
          Effect.flatMap(adminClient, (admin) =>
            Effect.andThen(
              putBarakat(admin, "a", { baseUrl: urlA, token: bAtA.apiKey }),
              putPackage(admin, "loop", { mode: "auto", primary: "a" }, { a: { sku: "loop" } }, "4.00")
            )
          )
        )
        const reseller = yield* onA(resellerWithBalance("50.00"))
        const idA = (yield* onA(storedInstanceId))!
        const idB = (yield* onB(storedInstanceId))!

        const created = yield* onA(
          reseller.client.orders.create({
            payload: { packageId: "loop", playerId: "5551234", quantity: 1 },
            headers: {}
          })
        )
        const atB = yield* onB(
          eventually(orderRow({ orderUuid: created.id }), (row) => row?.dispatch_state === "manual")
        )
        assert.deepStrictEqual(atB!.chain, [idA])
        assert.strictEqual(atB!.status, "pending", "manual: the money stays held")
        assert.strictEqual(atB!.last_message, ResellerWords.loopDetected)
        // what an operator reads in B's dispatch log: A's refusal, naming the chain B's call carried
        const log = yield* onB(
          Effect.flatMap(adminClient, (admin) => admin.admin.orderLog({ params: { id: atB!.id } }))
        )
        const sends = log.items.filter((entry) => entry.action === "send")
        assert.lengthOf(sends, 1, "B sent once")
        assert.strictEqual(sends[0]?.outcome, "ProviderMisconfigured")
        assert.include(sends[0]?.response ?? "", "LOOP_DETECTED")
        assert.include(sends[0]?.response ?? "", `${idA} → ${idB}`, "B's call carried A's id, then B's")

        // A's next check of B reads B's hold (LOOP_DETECTED's code on a `wait` entry): A's order goes manual too
        const atA = (yield* onA(
          eventually(orderRow({ id: created.id }), (row) => row?.dispatch_state === "manual")
        ))!
        assert.deepInclude(atA, { status: "pending", last_message: ResellerWords.loopDetected })
        const logA = yield* onA(
          Effect.flatMap(adminClient, (admin) => admin.admin.orderLog({ params: { id: created.id } }))
        )
        const checksA = logA.items.filter((entry) => entry.action === "check")
        assert.strictEqual(checksA.at(-1)?.outcome, "Looped")

        // no endless calls: several poll intervals later nothing more was created or checked anywhere
        const checksBefore = checksA.length
        yield* realPause(1500)
        assert.deepStrictEqual(yield* onA(orderAndDebitCounts), { orders: 1, debits: 1 })
        assert.deepStrictEqual(yield* onB(orderAndDebitCounts), { orders: 1, debits: 1 })
        const logAfter = yield* onA(
          Effect.flatMap(adminClient, (admin) => admin.admin.orderLog({ params: { id: created.id } }))
        )
        assert.strictEqual(logAfter.items.filter((entry) => entry.action === "check").length, checksBefore)
        assert.strictEqual(yield* onA(balanceOf(reseller.accountId)), "45.00")
        assert.strictEqual(yield* onB(balanceOf(aAtB.accountId)), "96.00")
        assert.strictEqual(
          yield* onA(balanceOf(bAtA.accountId)),
          "100.00",
          "the refused loop charged nothing"
        )
      }),
    60_000
  )
})
