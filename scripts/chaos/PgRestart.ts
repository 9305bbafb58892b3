import { Effect, Exit, Redacted, Scope } from "effect"
import { startEmbeddedPostgres } from "../../src/db/EmbeddedPostgres.js"
import { createOrders } from "./Api.js"
import { countStates, terminal, waitTerminal } from "./Db.js"
import { type Ctx, world } from "./Harness.js"
import { freePort } from "../../src/testing/Loopback.js"
import { countLines } from "./Node.js"
import { firstCallAfter, outcome, refsOf, type Result, seconds } from "./Report.js"

/** (5) Stop and start the Postgres server (same data directory and port) under a running node: nothing is lost. */
export const postgresRestart = (ctx: Ctx, dataDir: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort)
      // a durable cluster (not ephemeral: that one is deleted on stop), in a scope of its own so it can be stopped
      let current = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(current, Exit.void))
      const startPg = Effect.gen(function* () {
        current = yield* Scope.make()
        return yield* startEmbeddedPostgres({ dataDir, port }).pipe(Scope.provide(current))
      }).pipe(Effect.mapError((e) => new Error("embedded postgres", { cause: e })))
      const pg = yield* startPg
      const w = yield* world(ctx, "pgrestart", Redacted.value(pg.url))
      const a = yield* w.start("pgrestart-A")
      const { key, packages } = yield* w.configure(a)
      yield* w.script({ latencyMs: 500, pollsBeforeFinal: 1, outcome: "mixed" })
      yield* createOrders([a], key, packages, 200)
      yield* Effect.sleep("1500 millis")
      const atStop = yield* Effect.orDie(w.db.orders)
      const open = refsOf(atStop.filter((r) => !terminal(r.dispatch_state)))
      const stoppedAt = Date.now()
      yield* Scope.close(current, Exit.void)
      const downMs = Date.now() - stoppedAt
      yield* Effect.sleep("3 seconds")
      yield* startPg
      const upAt = Date.now()
      const lastAt = yield* waitTerminal(w.db, 120_000)
      const rows = yield* Effect.orDie(w.db.orders)
      const result = outcome(w.calls, rows)
      const first = firstCallAfter(w.calls, upAt, open)
      const alive = a.child.exitCode === null && a.child.signalCode === null
      return {
        scenario: "5 Postgres restart",
        orders: rows.length,
        lost: result.lost,
        duplicates: result.duplicates,
        recoverySeconds: lastAt === undefined ? undefined : (lastAt - upAt) / 1000,
        pass: result.lost === 0 && result.duplicates === 0 && alive,
        notes: [
          `at the stop: ${countStates(atStop)}; server stop took ${seconds(downMs)}, down for ${seconds(upAt - stoppedAt)}`,
          `node A ${alive ? "still running" : `exited (${a.child.exitCode ?? a.child.signalCode})`}; Postgres up → first provider call for an open order ${seconds(first)}; → last terminal ${seconds(lastAt === undefined ? undefined : lastAt - upAt)} (the recovery figure)`,
          `A logged: ${countLines(a, /order fiber crashed/)} fiber restarts, ${countLines(a, /heartbeat failed/)} failed heartbeats, ${countLines(a, /claim failed/)} failed claims`,
          ...result.notes
        ]
      } satisfies Result
    })
  )
