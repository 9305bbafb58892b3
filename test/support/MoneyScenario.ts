import { Context, Data, Duration, Effect, Exit, Layer, Logger, LogLevel, Result, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock, TestConsole } from "effect/testing"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { moneyProblems } from "./MoneyInvariants.js"
import type { Step } from "./MoneySteps.js"
import { TestDatabase } from "./TestDatabase.js"
import { engineOn, quietNode, routedPackage, simulatorProvider } from "./TestEngine.js"
import { adminClient, apiClient, resellerWithBalance } from "./TestServer.js"

export class MoneyBroken extends Data.TaggedError("MoneyBroken")<{ readonly message: string }> {}

const refusals = new Set([
  "InsufficientBalance",
  "InvalidTransition",
  "IdempotencyKeyReused",
  "ProviderCallFailed"
])

/** A refusal the contract names is an answer; anything else (a 500, an undecodable body) breaks the property. */
const answer = <A, E extends { readonly _tag: string }, R>(
  call: Effect.Effect<A, E, R>,
  done: (a: A) => string
) =>
  call.pipe(
    Effect.map(done),
    Effect.catch((error) =>
      refusals.has(error._tag)
        ? Effect.succeed(`refused (${error._tag})`)
        : Effect.fail(new MoneyBroken({ message: `unexpected answer ${error._tag}: ${String(error)}` }))
    )
  )

export const moneySettings = { ...quietNode, pollDeadline: Duration.seconds(45) }

const startNode = Effect.gen(function* () {
  const scope = yield* Scope.make()
  const context = yield* Layer.buildWithScope(engineOn(moneySettings), scope).pipe(Effect.orDie)
  return { scope, context }
})
type Node = Effect.Success<typeof startNode>

const realPause = (millis: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** What the engine has done so far; it has settled when this stops changing while no step is running. */
const fingerprint = (node: Node) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ print: string }>`
      select concat_ws('|',
        (select count(*) from tawsil.dispatch_log), (select count(*) from tawsil.ledger_entries),
        (select string_agg(concat_ws(':', status, dispatch_state, attempts, last_message, last_checked_at), ','
                           order by number) from tawsil.orders),
        (select string_agg(concat_ws(':', order_id, owner_node, fence), ',' order by order_id) from tawsil.outbox)) as print`.pipe(
      Effect.orDie
    )
    const calls = yield* Context.get(node.context, SimulatorProvider).calls
    const inFlight = yield* Context.get(node.context, Dispatcher).inFlight
    return `${rows[0]?.print}|${calls.length}|${inFlight}`
  })

const settled = (node: Node) =>
  Effect.gen(function* () {
    let last = ""
    for (let probes = 0, same = 0; same < 3; probes++) {
      if (probes > 2000) return yield* Effect.die(new Error("the engine never settled"))
      yield* realPause(5)
      const print = yield* fingerprint(node)
      same = print === last ? same + 1 : 0
      last = print
    }
  })

/** Keeps the engine's alarms (an order fiber that died of a defect, a node that could not release its orders). */
const alarmLogger = (alarms: Array<string>) =>
  Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    if (LogLevel.isGreaterThanOrEqualTo(logLevel, "Error") && /crashed|could not release/.test(text)) {
      alarms.push(text)
    }
  })

const operatorAction = (
  step: Extract<Step, { readonly order: number }>,
  id: string,
  done: (order: { readonly status: string; readonly dispatch: { readonly state: string } }) => string
) =>
  Effect.flatMap(adminClient, (admin) => {
    switch (step._tag) {
      case "Approve":
        return answer(admin.admin.approve({ params: { id }, payload: { pin: "BY-HAND" } }), done)
      case "Reject":
        return answer(admin.admin.reject({ params: { id }, payload: { note: "refused by hand" } }), done)
      case "Check":
        return answer(admin.admin.check({ params: { id } }), done)
      case "Dispatch":
        return answer(
          admin.admin.dispatch({
            params: { id },
            payload: step.providerId === null ? {} : { providerId: step.providerId }
          }),
          done
        )
    }
  })

/**
 * Plays `steps` against the whole service (HTTP API, engine, in-process simulator) over a fresh database, on a
 * fresh TestClock, waiting after each step until the engine has settled, then lets six minutes pass (past every
 * deadline, timeout and retry). Fails with `MoneyBroken` as soon as the money does not add up, an order fiber
 * crashes, or, at the end, an order is still waiting on the engine; answers the trace of what happened.
 */
export const playMoney = (steps: ReadonlyArray<Step>) => {
  const alarms: Array<string> = []
  return Effect.gen(function* () {
    let node = yield* startNode
    yield* Effect.addFinalizer(() => Scope.close(node.scope, Exit.void))
    const inNode = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => Effect.provide(effect, node.context))

    const [, resellers] = yield* inNode(
      Effect.all(
        [
          Effect.all(
            [
              simulatorProvider("ok", { checksBeforeFinal: 1 }),
              simulatorProvider("bad", { outcome: "failure", checksBeforeFinal: 0 }),
              simulatorProvider("slow", { checksBeforeFinal: 1000 })
            ],
            { concurrency: "unbounded" }
          ).pipe(
            Effect.andThen(
              Effect.all(
                [
                  routedPackage("p-ok", { mode: "auto", primary: "ok" }, "10.00"),
                  routedPackage("p-bad", { mode: "auto", primary: "bad" }, "7.50"),
                  routedPackage("p-slow", { mode: "auto", primary: "slow", fallback: "ok" }, "12.25"),
                  routedPackage("p-hand", { mode: "manual", primary: "ok" }, "5.00")
                ],
                { concurrency: "unbounded" }
              )
            )
          ),
          Effect.all([resellerWithBalance("60.00"), resellerWithBalance("30.00")], {
            concurrency: "unbounded"
          })
        ],
        { concurrency: "unbounded" }
      )
    )
    const orders: Array<string> = []
    const trace: Array<string> = []

    const onOrder = (
      index: number,
      act: (id: string) => Effect.Effect<string, MoneyBroken, SqlClient.SqlClient>
    ) => (orders.length === 0 ? Effect.succeed("no order yet") : act(orders[index % orders.length]!))

    const play = (step: Step): Effect.Effect<string, MoneyBroken, SqlClient.SqlClient> => {
      switch (step._tag) {
        case "Create": {
          const reseller = resellers[step.account]
          const create = Effect.flatMap(apiClient(reseller.apiKey), (client) =>
            answer(
              client.orders.create({
                payload: { packageId: step.packageId, playerId: "5551234", quantity: step.quantity },
                headers: step.key === null ? {} : { "idempotency-key": step.key }
              }),
              (created) => {
                if (!orders.includes(created.id)) orders.push(created.id)
                return `#${orders.indexOf(created.id)} ${created.status}/${created.dispatch.state}`
              }
            )
          )
          return inNode(
            Effect.map(Effect.all(step.twice ? [create, create] : [create], { concurrency: 2 }), (answers) =>
              answers.join(", ")
            )
          )
        }
        case "Script":
          return inNode(
            Effect.as(
              Effect.flatMap(SimulatorProvider, (simulator) =>
                simulator.inject(step.providerId, step.operation, step.fault)
              ),
              "scripted"
            )
          )
        case "Advance":
          return Effect.as(TestClock.adjust(step.by), "time passed")
        case "Restart":
          return Effect.gen(function* () {
            yield* Scope.close(node.scope, Exit.void)
            node = yield* startNode
            return "restarted"
          })
        case "TopUp":
          return inNode(
            Effect.flatMap(adminClient, (admin) =>
              answer(
                admin.admin.credit({
                  params: { id: resellers[step.account].accountId },
                  payload: { amount: step.amount }
                }),
                (account) => `balance ${account.balance}`
              )
            )
          )
        case "Approve":
        case "Reject":
        case "Check":
        case "Dispatch":
          return onOrder(step.order, (id) => {
            const acted = inNode(
              operatorAction(step, id, (o) => `#${orders.indexOf(id)} ${o.status}/${o.dispatch.state}`)
            )
            return step.racing
              ? Effect.map(
                  Effect.all([acted, TestClock.adjust("10 seconds")], { concurrency: "unbounded" }),
                  ([answered]) => `${answered}, racing a 10 s tick`
                )
              : acted
          })
      }
    }

    const verify = Effect.gen(function* () {
      yield* settled(node)
      const problems = [...(yield* moneyProblems), ...alarms]
      if (problems.length > 0) {
        return yield* new MoneyBroken({
          message: [...problems, "after:", ...trace].join("\n")
        })
      }
    })

    yield* verify
    for (const step of steps) {
      trace.push(`${JSON.stringify(step)} → ${yield* play(step)}`)
      yield* verify
    }
    // then time runs out for every provider: nothing may still be waiting on the engine
    for (let minute = 1; minute <= 6; minute++) {
      yield* TestClock.adjust("1 minute")
      trace.push(`time runs out: +${minute} min`)
      yield* verify
    }
    const sql = yield* SqlClient.SqlClient
    const final = sql<{ number: string; status: string; dispatch_state: string }>`
      select number::text, status, dispatch_state from tawsil.orders order by number`.pipe(Effect.orDie)
    const waiting = (rows: ReadonlyArray<{ status: string; dispatch_state: string }>) =>
      rows.some((o) => o.status === "pending" && o.dispatch_state !== "manual")
    const last = yield* final.pipe(
      Effect.flatMap((rows) =>
        waiting(rows) ? Effect.andThen(realPause(10), Effect.fail(rows)) : Effect.succeed(rows)
      ),
      Effect.retry({ times: 300 }),
      Effect.result
    )
    const kinds = yield* sql<{ kind: string; count: string }>`
      select kind, count(*)::text from tawsil.ledger_entries group by kind order by kind`.pipe(Effect.orDie)
    trace.push(
      `finally: ${Result.merge(last)
        .map((o) => `#${o.number} ${o.status}/${o.dispatch_state}`)
        .join(", ")}; ledger ${kinds.map((k) => `${k.kind}×${k.count}`).join(" ")}`
    )
    if (Result.isFailure(last)) {
      return yield* new MoneyBroken({
        message: ["still waiting on the engine after six more minutes:", ...trace].join("\n")
      })
    }
    return trace
  }).pipe(
    Effect.scoped,
    Effect.provide(TestDatabase),
    Effect.provide(
      Layer.mergeAll(
        TestConsole.layer,
        TestClock.layer(),
        // in place of the default (console) logger; other loggers are kept
        Layer.effect(
          Logger.CurrentLoggers,
          Effect.map(Logger.CurrentLoggers, (loggers) => {
            const next = new Set(loggers)
            next.delete(Logger.defaultLogger)
            next.add(alarmLogger(alarms))
            return next
          })
        )
      )
    )
  )
}
