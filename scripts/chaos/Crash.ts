import { Effect } from "effect"
import { createOrders } from "./Api.js"
import { countStates, terminal, waitTerminal } from "./Db.js"
import type { Ctx } from "./Harness.js"
import { world } from "./Harness.js"
import { countLines, signal, waitExit } from "./Node.js"
import { firstCallAfter, outcome, refsOf, type Result, seconds } from "./Report.js"

/**
 * (1) SIGKILL node A with 3 × `wave` orders in every state; a new process (B) takes them over after the lease TTL.
 * `npm run chaos` runs it with 300 orders, the test suite (test/e2e/CrashRecovery.test.ts) with fewer.
 */
export const sigkill = (ctx: Ctx, wave = 100) =>
  Effect.scoped(
    Effect.gen(function* () {
      const w = yield* world(ctx, "sigkill")
      const a = yield* w.start("sigkill-A")
      const { key, packages } = yield* w.configure(a)
      yield* w.script({ latencyMs: 1000, pollsBeforeFinal: 1, outcome: "mixed" })
      // three waves, so that the kill finds orders done, awaiting a check, being sent and still queued
      yield* createOrders([a], key, packages, wave)
      yield* Effect.sleep("6500 millis")
      yield* createOrders([a], key, packages, wave, wave)
      yield* Effect.sleep("1200 millis")
      yield* createOrders([a], key, packages, wave, 2 * wave)
      const killedAt = Date.now()
      yield* signal(a, "SIGKILL")
      yield* waitExit(a, 5000)
      const atKill = yield* Effect.orDie(w.db.orders)
      const resumed = refsOf(atKill.filter((r) => !terminal(r.dispatch_state)))
      const b = yield* w.start("sigkill-B")
      const startedB = Date.now()
      const lastAt = yield* waitTerminal(w.db, 120_000)
      const rows = yield* Effect.orDie(w.db.orders)
      const first = firstCallAfter(w.calls, killedAt, resumed, b.name)
      const result = outcome(w.calls, rows)
      const lastMs = lastAt === undefined ? undefined : lastAt - killedAt
      return {
        scenario: "1 SIGKILL + restart",
        orders: rows.length,
        lost: result.lost,
        duplicates: result.duplicates,
        recoverySeconds: first === undefined ? undefined : first / 1000,
        pass: result.lost === 0 && result.duplicates === 0 && first !== undefined && first <= 15_000,
        notes: [
          `at the kill: ${countStates(atKill)} (${resumed.size} to resume)`,
          `B ready ${seconds(startedB - killedAt)} after the kill (process start included); kill → first provider call for a resumed order ${seconds(first)}; kill → last order terminal ${seconds(lastMs)}`,
          `B claimed: ${countLines(b, /claimed orders/)} claim(s) logged`,
          ...result.notes
        ]
      } satisfies Result
    })
  )

/** (2) SIGTERM node A with sends in flight: exit 0 within the grace period, B resumes them before the lease TTL. */
export const sigterm = (ctx: Ctx, graceMs: number, ttlMs: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const w = yield* world(ctx, "sigterm")
      const a = yield* w.start("sigterm-A")
      const b = yield* w.start("sigterm-B")
      const { key, packages } = yield* w.configure(a)
      yield* w.script({ latencyMs: 2000, pollsBeforeFinal: 1, outcome: "success" })
      yield* createOrders([a], key, packages, 150)
      yield* Effect.sleep("800 millis")
      const aId = yield* w.db.nodeIdOf(a.pid)
      const before = yield* Effect.orDie(w.db.orders)
      const ownedByA = refsOf(before.filter((r) => r.owner_node === aId && !terminal(r.dispatch_state)))
      const termAt = Date.now()
      yield* signal(a, "SIGTERM")
      const exit = yield* waitExit(a, graceMs + 10_000)
      const exitMs = Date.now() - termAt
      const lastAt = yield* waitTerminal(w.db, 120_000)
      const rows = yield* Effect.orDie(w.db.orders)
      const first = firstCallAfter(w.calls, termAt, ownedByA, b.name)
      const result = outcome(w.calls, rows)
      const exitedWell = exit !== undefined && exit.code === 0 && exitMs <= graceMs + 2000
      return {
        scenario: "2 SIGTERM drain",
        orders: rows.length,
        lost: result.lost,
        duplicates: result.duplicates,
        recoverySeconds: first === undefined ? undefined : first / 1000,
        pass:
          result.lost === 0 && result.duplicates === 0 && exitedWell && first !== undefined && first < ttlMs,
        notes: [
          `at SIGTERM: ${countStates(before)}; ${ownedByA.size} unfinished orders owned by A`,
          `A exited with ${exit === undefined ? "nothing (still running)" : `code ${exit.code} signal ${exit.signal}`} after ${seconds(exitMs)} (grace ${seconds(graceMs)})`,
          `SIGTERM → B's first provider call for one of A's orders ${seconds(first)} (lease TTL ${seconds(ttlMs)}); → last terminal ${seconds(lastAt === undefined ? undefined : lastAt - termAt)}`,
          `A logged: ${countLines(a, /waiting for sends in flight/)} drain, ${countLines(a, /its orders are released/)} release`,
          ...result.notes
        ]
      } satisfies Result
    })
  )
