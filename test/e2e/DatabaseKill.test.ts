import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Ref, Schedule } from "effect"
import {
  type Answer,
  allPages,
  awaitOutage,
  awaitReady,
  call,
  cents,
  graceSeconds,
  json,
  type OrderView,
  packageNumbers,
  postmasterPid,
  startService
} from "./KillableService.js"
import { isAlive } from "../support/Process.js"

describe("the embedded Postgres dies under traffic", () => {
  it.live(
    "SIGKILL of the postmaster: 503s with a body meanwhile, restarted, nothing lost, nothing sent twice, books exact",
    () =>
      Effect.gen(function* () {
        const s = yield* startService
        const t0 = performance.now()
        const phase = (name: string) =>
          Effect.logInfo(`phase ${name} at ${((performance.now() - t0) / 1000).toFixed(1)} s`)
        const create = (key: string) => {
          const n = Number(key.replace(/\D/g, ""))
          return call(`${s.base}/v1/orders`, {
            method: "POST",
            token: s.apiKey,
            key,
            body: {
              packageId: `p${n % packageNumbers.length}`,
              playerId: `5551${String(n).padStart(4, "0")}`
            }
          })
        }
        const answers = new Map<string, Answer>()
        for (let i = 0; i < 5; i++) {
          const answer = yield* create(`k-${i}`)
          assert.strictEqual(answer.status, 201, `${answer.text}${s.context()}`)
          answers.set(`k-${i}`, answer)
        }

        // two workers keep creating while the server is killed, restarted and back
        const stop = yield* Ref.make(false)
        let next = 5
        const worker = Effect.gen(function* () {
          while (!(yield* Ref.get(stop))) {
            const key = `k-${next++}`
            answers.set(key, yield* create(key))
            yield* Effect.sleep("80 millis")
          }
        })
        const workers = yield* Effect.forkScoped(Effect.all([worker, worker], { concurrency: "unbounded" }))
        yield* Effect.sleep("500 millis")
        const killed = postmasterPid(s.dataDir)
        assert.isDefined(killed)
        process.kill(killed!, "SIGKILL")
        yield* phase("killed")
        const readyzDuringOutage = yield* awaitOutage(s.base, s.context)
        yield* phase("readyz 503")
        yield* awaitReady(s.base, s.service.isRunning, s.context, "30 seconds")
        yield* phase("readyz 200")
        yield* Effect.sleep("1 second")
        yield* Ref.set(stop, true)
        yield* Fiber.join(workers)
        const restarted = postmasterPid(s.dataDir)
        assert.notStrictEqual(restarted, killed, "a new postmaster runs")
        assert.include(s.service.output(), "embedded postgres exited; restarting it")

        // every answer is a 201 or a 503 `ServiceUnavailable` with a JSON body: no 500, no empty body
        const failed = [...answers].filter(([, answer]) => answer.status !== 201)
        for (const [key, answer] of failed) {
          assert.strictEqual(answer.status, 503, `${key}: ${answer.status} ${answer.text}`)
          assert.strictEqual(json(answer)._tag, "ServiceUnavailable", `${key}: ${answer.text}`)
        }
        assert.isAbove(
          failed.length,
          0,
          `no create met the outage (readyz saw ${readyzDuringOutage.join(",")})`
        )

        // the resellers retry what failed with the same key: each key is one order
        for (const [key] of failed) {
          const answer = yield* create(key).pipe(
            Effect.filterOrFail((retried) => retried.status === 201),
            Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 50 }),
            Effect.mapError((last) => new Error(`${key} retried: ${JSON.stringify(last)}${s.context()}`)),
            Effect.orDie
          )
          answers.set(key, answer)
        }
        yield* phase(`retried (${failed.length} of ${answers.size} creates answered 503)`)
        const idByKey = new Map([...answers].map(([key, answer]) => [key, json(answer).id as string]))
        assert.strictEqual(new Set(idByKey.values()).size, answers.size, "one order per idempotency key")

        const orders = yield* allPages<OrderView>((cursor) =>
          call(`${s.base}/v1/orders?limit=200${cursor === undefined ? "" : `&cursor=${cursor}`}`, {
            token: s.apiKey
          }).pipe(Effect.map(json))
        ).pipe(
          Effect.filterOrFail(
            (all) => all.every((order) => order.status !== "pending"),
            (all) => all.filter((order) => order.status === "pending")
          ),
          Effect.retry({ schedule: Schedule.spaced("1 second"), times: 60 }),
          Effect.mapError(
            (pending) =>
              new Error(
                `${pending.length} orders still pending after 60 s, e.g. ${JSON.stringify(pending.slice(0, 3))}${s.context()}`
              )
          ),
          Effect.orDie
        )
        yield* phase("all settled")
        assert.deepStrictEqual(
          orders.map((order) => order.id).sort(),
          [...idByKey.values()].sort(),
          "the account's orders are exactly the acknowledged ones"
        )
        for (const order of orders) {
          assert.include(["done", "failed"], order.dispatch.state, JSON.stringify(order))
          const placements = yield* s.sim.placements(order.dispatch.reference ?? "")
          assert.strictEqual(
            placements,
            1,
            `reference ${order.dispatch.reference} placed ${placements} times`
          )
        }

        const charged = orders
          .filter((order) => order.status !== "rejected")
          .reduce((sum, order) => sum + cents(order.price.amount), 0n)
        const account = json(yield* call(`${s.base}/v1/account`, { token: s.apiKey }))
        assert.strictEqual(
          cents(account.balance as string),
          cents("1000.00") - charged,
          "balance = credit - charged"
        )
        const ledger = yield* allPages<{ amount: string; kind: string; orderId?: string }>((cursor) =>
          s.admin(
            "GET",
            `/v1/admin/accounts/${s.accountId}/ledger?limit=200${cursor === undefined ? "" : `&cursor=${cursor}`}`
          )
        )
        const ledgerSum = ledger.reduce((sum, entry) => sum + cents(entry.amount), 0n)
        assert.strictEqual(ledgerSum, cents(account.balance as string), "the ledger sums to the balance")
        const debits = ledger.filter((entry) => entry.kind === "debit")
        assert.strictEqual(debits.length, orders.length, "one debit per order")
        const refunds = ledger.filter((entry) => entry.kind === "refund")
        assert.strictEqual(refunds.length, orders.filter((order) => order.status === "rejected").length)
      }),
    { timeout: 150_000 }
  )

  it.live(
    `SIGTERM while the postmaster is dead, or frozen: the service exits within the grace (${graceSeconds} s) + 5 s`,
    () =>
      Effect.gen(function* () {
        for (const how of ["SIGKILL", "SIGSTOP"] as const) {
          const s = yield* startService
          const pid = postmasterPid(s.dataDir)!
          process.kill(pid, how)
          if (how === "SIGKILL") yield* awaitOutage(s.base, s.context)
          // creates in flight meanwhile (against a frozen server they hang)
          yield* Effect.forkScoped(
            Effect.all(
              packageNumbers.map((n) =>
                call(`${s.base}/v1/orders`, {
                  method: "POST",
                  token: s.apiKey,
                  body: { packageId: `p${n}`, playerId: `555100${n}` }
                })
              ),
              { concurrency: "unbounded" }
            )
          )
          yield* Effect.sleep("300 millis")
          const signalled = performance.now()
          s.service.child.kill("SIGTERM")
          const exit = yield* Effect.promise(() => s.service.exited).pipe(
            Effect.timeoutOrElse({
              duration: Duration.seconds(graceSeconds + 5),
              orElse: () =>
                Effect.fail(
                  new Error(`${how}: no exit within ${graceSeconds + 5} s of SIGTERM${s.context()}`)
                )
            }),
            Effect.orDie
          )
          const tookSeconds = (performance.now() - signalled) / 1000
          yield* Effect.logInfo("service exited").pipe(Effect.annotateLogs({ how, tookSeconds, ...exit }))
          assert.isAtMost(tookSeconds, graceSeconds + 5)
          // 0: the shutdown itself was bounded, not cut short by the last-resort timer in main.ts (exit code 1)
          assert.deepStrictEqual(exit, { code: 0, signal: null }, `${how}${s.context()}`)
          const left = postmasterPid(s.dataDir)
          assert.isFalse(
            left !== undefined && isAlive(left),
            `${how}: postmaster ${left} still runs${s.context()}`
          )
        }
      }),
    { timeout: 150_000 }
  )
})
