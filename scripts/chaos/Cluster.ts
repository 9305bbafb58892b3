import { Effect } from "effect"
import { createOrders } from "./Api.js"
import { countStates, terminal, waitTerminal } from "./Db.js"
import { type Ctx, world } from "./Harness.js"
import { countLines, signal } from "./Node.js"
import type { Call } from "./Proxy.js"
import { outcome, refsOf, type Result, seconds, timeline } from "./Report.js"

/** Per reference: the nodes that checked it, and the shortest gap between two consecutive checks. */
const checkCadence = (calls: ReadonlyArray<Call>) => {
  const byRef = new Map<string, Array<Call>>()
  for (const c of calls)
    if (c.endpoint === "check") byRef.set(c.reference, [...(byRef.get(c.reference) ?? []), c])
  let multiNode = 0
  let tooFast = 0
  let tooFastAbandoned = 0
  let shortest = Infinity
  let example = ""
  const fast = new Set<string>()
  for (const [reference, checks] of byRef) {
    if (new Set(checks.map((c) => c.node)).size > 1) multiNode += 1
    for (let i = 1; i < checks.length; i++) {
      const gap = checks[i]!.atMillis - checks[i - 1]!.atMillis
      // a check its caller gave up on (check timeout) may reach an overloaded provider late, next to the
      // caller's following check: counted apart, it is not a second poller
      if (checks[i]!.abandoned || checks[i - 1]!.abandoned) {
        if (gap < 1500) tooFastAbandoned += 1
        continue
      }
      if (gap < shortest) [shortest, example] = [gap, reference]
      if (gap < 1500) {
        tooFast += 1
        fast.add(reference)
      }
    }
  }
  return {
    references: byRef.size,
    multiNode,
    tooFast,
    tooFastAbandoned,
    shortest,
    example,
    fast: [...fast]
  }
}

/** (3) Two nodes at once: 1,000 orders created through both; each placed once and polled by one node only. */
export const twoNodes = (ctx: Ctx) =>
  Effect.scoped(
    Effect.gen(function* () {
      const w = yield* world(ctx, "twonodes")
      const a = yield* w.start("two-A")
      const b = yield* w.start("two-B")
      const { key, packages } = yield* w.configure(a)
      yield* w.script({ latencyMs: 100, pollsBeforeFinal: 1, outcome: "mixed" })
      const t0 = Date.now()
      yield* createOrders([a, b], key, packages, 1000)
      const lastAt = yield* waitTerminal(w.db, 180_000)
      const rows = yield* Effect.orDie(w.db.orders)
      const result = outcome(w.calls, rows)
      const cadence = checkCadence(w.calls)
      const byNode = (node: string) => w.calls.filter((c) => c.node === node).length
      return {
        scenario: "3 two nodes",
        orders: rows.length,
        lost: result.lost,
        duplicates: result.duplicates,
        recoverySeconds: undefined,
        pass:
          result.lost === 0 && result.duplicates === 0 && cadence.multiNode === 0 && cadence.tooFast === 0,
        notes: [
          `provider calls by A ${byNode(a.name)}, by B ${byNode(b.name)}, unattributed ${byNode("?")}; create → last terminal ${seconds(lastAt === undefined ? undefined : lastAt - t0)}`,
          `checks: ${cadence.references} references; checked by two nodes: ${cadence.multiNode}; gaps < 1.5 s (poll 2 s) between one node's checks: ${cadence.tooFast}, next to a check its caller had given up on: ${cadence.tooFastAbandoned}; shortest gap ${cadence.shortest} ms (${cadence.example})`,
          `heartbeat gaps (fibers restarted): A ${countLines(a, /heartbeat gap/)}, B ${countLines(b, /heartbeat gap/)}; fiber crashes: A ${countLines(a, /order fiber crashed/)}, B ${countLines(b, /order fiber crashed/)}`,
          ...cadence.fast.slice(0, 3).map((ref) => `gap < 1.5 s: ${ref}\n${timeline(w.calls, ref)}`),
          ...result.notes
        ]
      } satisfies Result
    })
  )

/** (4) Zombie: SIGSTOP A past its lease, B takes over, SIGCONT A: A makes no provider call for the orders it lost. */
export const zombie = (ctx: Ctx) =>
  Effect.scoped(
    Effect.gen(function* () {
      const w = yield* world(ctx, "zombie")
      const a = yield* w.start("zombie-A")
      const b = yield* w.start("zombie-B")
      const { key, packages } = yield* w.configure(a)
      yield* w.script({ latencyMs: 300, pollsBeforeFinal: 8, outcome: "success" })
      yield* createOrders([a], key, packages, 60)
      yield* Effect.sleep("3 seconds")
      const aId = yield* w.db.nodeIdOf(a.pid)
      yield* createOrders([a], key, packages, 40, 60)
      yield* signal(a, "SIGSTOP")
      const stoppedAt = Date.now()
      const atStop = yield* Effect.orDie(w.db.orders)
      const lostByA = refsOf(atStop.filter((r) => r.owner_node === aId && !terminal(r.dispatch_state)))
      let takenAt: number | undefined
      while (takenAt === undefined && Date.now() - stoppedAt < 30_000) {
        yield* Effect.sleep("250 millis")
        const rows = yield* Effect.orDie(w.db.orders)
        if (!rows.some((r) => r.owner_node === aId)) takenAt = Date.now()
      }
      yield* Effect.sleep("1 second")
      const contAt = Date.now()
      yield* signal(a, "SIGCONT")
      yield* Effect.sleep("8 seconds")
      const zombieCalls = w.calls.filter(
        (c) => c.node === a.name && c.atMillis >= contAt && lostByA.has(c.reference)
      )
      const lastAt = yield* waitTerminal(w.db, 120_000)
      const rows = yield* Effect.orDie(w.db.orders)
      const result = outcome(w.calls, rows)
      const places = zombieCalls.filter((c) => c.endpoint === "place").length
      return {
        scenario: "4 zombie (STOP/CONT)",
        orders: rows.length,
        lost: result.lost,
        duplicates: result.duplicates,
        recoverySeconds: takenAt === undefined ? undefined : (takenAt - stoppedAt) / 1000,
        pass:
          result.lost === 0 && result.duplicates === 0 && zombieCalls.length === 0 && takenAt !== undefined,
        notes: [
          `at SIGSTOP: ${countStates(atStop)}; ${lostByA.size} unfinished orders owned by A; B owned all of them ${seconds(takenAt === undefined ? undefined : takenAt - stoppedAt)} after the stop`,
          `after SIGCONT, A's provider calls for orders it lost: ${zombieCalls.length} (place ${places}, check ${zombieCalls.length - places})` +
            (zombieCalls.length > 0
              ? `, e.g. ${zombieCalls[0]!.endpoint} ${zombieCalls[0]!.reference} +${zombieCalls[0]!.atMillis - contAt} ms`
              : ""),
          `A's fenced writes refused after SIGCONT ("lease lost" log lines): ${countLines(a, /lease lost/)}; B's claims: ${countLines(b, /claimed orders/)}`,
          `stop → last terminal ${seconds(lastAt === undefined ? undefined : lastAt - stoppedAt)}`,
          ...result.notes
        ]
      } satisfies Result
    })
  )
