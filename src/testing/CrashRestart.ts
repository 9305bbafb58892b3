import { Duration, Effect } from "effect"
import { SqlClient } from "effect/sql"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import { type CrashedNode, Dispatcher } from "../dispatch/Dispatcher.js"
import { EngineClock } from "./EngineClock.js"
import { liveMillis, realPause, settled } from "./EngineTime.js"
import { type Tables, TawsilTables } from "../db/Tables.js"

export type { CrashedNode } from "../dispatch/Dispatcher.js"

/** What `restart` did: the new node, the dead one, when (TestClock millis) and how many orders changed hands. */
export interface Takeover {
  readonly nodeId: string
  readonly previousNodeId: string
  readonly atMillis: number
  readonly orders: number
}

const takeoverLimitMillis = 15_000

/**
 * The embedded engine stops as if its process had died, once what it was doing has landed (`settled`): its order
 * fibers are interrupted without drain, no lease is released, its node row is left to expire. Orders created
 * meanwhile are written for the dead node and wait for `restart`. Answers the dead node (again: the same one).
 */
export const crash: Effect.Effect<CrashedNode, never, Dispatcher | EngineClock> = Effect.gen(function* () {
  yield* settled
  return yield* (yield* Dispatcher).crash
})

const ownedBy = (sql: SqlClient.SqlClient, t: Tables, nodeId: string) =>
  sql<{ n: number }>`select count(*)::int as n from ${t.outbox} where owner_node = ${nodeId}`.pipe(
    Effect.map((rows) => rows[0]?.n ?? 0),
    Effect.orDie
  )

/**
 * The database's clock does not follow the TestClock: the dead node's last heartbeat is dated back by the TestClock
 * time since it, so that the database too finds its lease expired (a millisecond more: the claim's test is strict).
 */
const ageHeartbeat = (sql: SqlClient.SqlClient, t: Tables, nodeId: string, silentMillis: number) =>
  sql`update ${t.nodes} set heartbeat_at = now() - make_interval(secs => ${(silentMillis + 1) / 1000}::float8)
      where id = ${nodeId}`.pipe(Effect.orDie)

/** Until no outbox row is the dead node's (the new node's claim loop takes at most 500 a round: woken again). */
const takenOver = (sql: SqlClient.SqlClient, t: Tables, deadNodeId: string) =>
  Effect.gen(function* () {
    const dispatcher = yield* Dispatcher
    const startedAt = liveMillis()
    while ((yield* ownedBy(sql, t, deadNodeId)) > 0) {
      if (liveMillis() - startedAt > takeoverLimitMillis) {
        return yield* Effect.die(
          new Error(`tawsil/testing: the new engine node did not take over the orders of ${deadNodeId}`)
        )
      }
      yield* dispatcher.wake
      // real time: the new node's claim is I/O, which lands while the TestClock stands still
      yield* realPause(2)
    }
  })

/**
 * A new engine node on the same database and TestClock takes over from the crashed one (`crash` first, if the
 * engine still runs), as a restarted process would: the TestClock moves to when the dead node's lease expires (its
 * last heartbeat + the lease TTL; at once if that has passed), the new node starts and claims the dead node's orders
 * (fence + 1), and their fibers resume from the database: a watch's next check is due one poll interval after its
 * last check. Returns once the new node has every order and is settled.
 *
 * The kit's default lease is a day (no clock jump can make a live node look silent), so a crash test sets a short
 * one: `TawsilTest.layer({ dispatch: { heartbeatInterval: "3 seconds", leaseTtl: "10 seconds" } })`, and moves the
 * clock with `advance`, which stops at every heartbeat (`awaitSettled` jumps from check to check: give it a lease
 * of 30 s or more).
 */
export const restart: Effect.Effect<
  Takeover,
  never,
  Dispatcher | EngineClock | DispatchConfig | SqlClient.SqlClient | TawsilTables
> = Effect.gen(function* () {
  const dispatcher = yield* Dispatcher
  const clock = yield* EngineClock
  const { leaseTtl } = yield* DispatchConfig
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const t = yield* TawsilTables
  const dead = yield* crash
  const expiresAt = dead.lastBeatMillis + Duration.toMillis(leaseTtl)
  const now = yield* clock.now
  // no order fiber runs between the crash and the expiry: one jump (a walk would stop at every second of the
  // callback worker's poll)
  if (expiresAt > now) yield* clock.adjust(expiresAt - now)
  yield* settled
  const atMillis = yield* clock.now
  yield* ageHeartbeat(sql, t, dead.nodeId, atMillis - dead.lastBeatMillis)
  const orders = yield* ownedBy(sql, t, dead.nodeId)
  yield* dispatcher.restart
  yield* takenOver(sql, t, dead.nodeId)
  yield* settled
  return { nodeId: dispatcher.nodeId, previousNodeId: dead.nodeId, atMillis, orders }
})
