import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Clock, Context, Duration, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import type { DispatchSettings } from "../../src/dispatch/DispatchConfig.js"
import { Dispatcher } from "../../src/dispatch/Dispatcher.js"
import { AdminToken } from "../../src/http/AdminToken.js"
import { layer as tawsilLayer } from "../../src/embed/TawsilLayer.js"
import { HttpLive } from "../../src/http/Server.js"
import type { Route } from "../../src/orders/Package.js"
import type { SimulatorOptions } from "../../src/providers/ProviderConfig.js"
import { SimulatorProvider } from "../../src/providers/Simulator.js"
import { DelegatingTestClock } from "../../src/testing/DelegatingTestClock.js"
import { eventually } from "./Eventually.js"
import { TestDatabase } from "./TestDatabase.js"
import { adminClient, testAdminToken } from "./TestServer.js"

export { ConditionNotReached, eventually } from "./Eventually.js"

/**
 * The TestClock's sleeps, as v3's `TestClock.sleeps()` told them: the TestClock keeps its queue private in v4, so
 * `sleepTracking` wraps it (for the engine's fibers) and writes down when each sleep is due. The log belongs to the
 * test's TestClock, so every node built on it (and the test itself) sees the same one.
 */
const sleepLogs = new WeakMap<Clock.Clock, Array<number>>()

/** The TestClock under `clock` (itself, or the one a TrackedClock wraps); undefined on a live clock. */
const testClockOf = (clock: Clock.Clock): TestClock.TestClock | undefined =>
  clock instanceof TrackedClock
    ? clock.inner
    : typeof (clock as Partial<TestClock.TestClock>).adjust === "function"
      ? (clock as TestClock.TestClock)
      : undefined

const sleepLogOf = (clock: TestClock.TestClock) => {
  let log = sleepLogs.get(clock)
  if (log === undefined) {
    log = []
    sleepLogs.set(clock, log)
  }
  return log
}

/** The test's TestClock, writing down when each sleep is due (an interrupted sleep stays until its time passes). */
class TrackedClock extends DelegatingTestClock {
  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.suspend(() => {
      const now = this.inner.currentTimeMillisUnsafe()
      const at = now + Duration.toMillis(duration)
      if (at > now) sleepLogOf(this.inner).push(at)
      return this.inner.sleep(duration)
    })
  }
}

/**
 * Installs the tracking clock (as the `Clock`) for everything built on this layer, and for what the layer is
 * provided to (on a live clock: nothing). Part of `engineOn`; `pendingSleeps` reads what it wrote down.
 */
export const sleepTracking: Layer.Layer<never> = Layer.effectContext(
  Clock.clockWith((clock) => {
    const inner = testClockOf(clock)
    return Effect.succeed(
      inner === undefined || clock instanceof TrackedClock
        ? Context.empty()
        : Context.make(Clock.Clock, new TrackedClock(inner))
    )
  })
)

/**
 * The TestClock times at which sleeps (of fibers on `sleepTracking`) are due, one entry per sleep: v3's
 * `TestClock.sleeps()`. Interrupted sleeps stay counted until the clock passes them, as they did in v3.
 */
export const pendingSleeps: Effect.Effect<ReadonlyArray<number>> = Clock.clockWith((clock) =>
  Effect.sync(() => {
    const inner = testClockOf(clock)
    if (inner === undefined) return []
    const log = sleepLogOf(inner)
    const now = inner.currentTimeMillisUnsafe()
    const due = log.filter((at) => at > now)
    log.splice(0, log.length, ...due)
    return due
  })
)

/**
 * The whole service — HTTP server, order services, dispatch engine with the in-process simulator — over a fresh
 * database. Build it inside a test (`Effect.provide`) so every fiber it starts runs on that test's TestClock.
 */
export const engineStack = (settings: Partial<DispatchSettings> = {}) =>
  engineOn(settings).pipe(Layer.provideMerge(TestDatabase))

/**
 * The same service over a database the caller provides (a SqlClient), so the database can outlive the engine:
 * stop one node (close its scope) and look at, or start another node on, what it left behind.
 */
export const engineOn = (settings: Partial<DispatchSettings> = {}) =>
  HttpLive.pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(
      Layer.mergeAll(
        tawsilLayer({
          dispatch: {
            retryJitter: false,
            shutdownGrace: Duration.zero,
            // TestClock jumps would outrun the heartbeat and make every node look silent; lease tests set their own
            leaseTtl: Duration.days(1),
            ...settings
          }
        }),
        AdminToken.layer(Redacted.make(testAdminToken))
      )
    ),
    Layer.provide(NodeHttpClient.layerNodeHttp),
    Layer.provideMerge(sleepTracking)
  )

/**
 * Settings for a single node whose heartbeat and claim loops stay asleep for the whole test, so the only timers
 * that move with the TestClock are the order fibers' (see `sleepRegistered`).
 */
export const quietNode: Partial<DispatchSettings> = { heartbeatInterval: Duration.hours(1) }

const sleepsAt = (atMillis: number) =>
  Effect.map(pendingSleeps, (sleeps) => sleeps.filter((at) => at === atMillis).length)

/**
 * Call it before the step that makes the engine sleep until `atMillis` (TestClock time); the effect it returns
 * waits until that sleep is registered (`count` of them: one per order fiber), so a following
 * `TestClock.adjust` wakes it at exactly `atMillis`. (Adjusting before the sleep is registered would move the
 * wake-up later by the whole adjustment.)
 */
export const sleepRegistered = (atMillis: number, count = 1) =>
  Effect.map(sleepsAt(atMillis), (before) =>
    eventually(
      sleepsAt(atMillis),
      (now) => now >= before + count,
      `${count} more sleep(s) registered at ${atMillis} ms (TestClock)`
    ).pipe(Effect.asVoid)
  )

/**
 * Before asserting that nothing more happens: the engine has no order fiber left, and any I/O still under way
 * (real time, ~100 ms) has landed.
 */
export const engineIdle = Effect.flatMap(Dispatcher, (dispatcher) =>
  eventually(dispatcher.inFlight, (n) => n === 0, "the engine has no order fiber left")
).pipe(Effect.tap(Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 100)))))

/** The order's row as the engine sees it. */
export const orderRow = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      status: string
      dispatch_state: string
      attempts: number
      provider_id: string | null
      fallback_from: string | null
      pin: string | null
    }>`select status, dispatch_state, attempts, provider_id, fallback_from, pin from tawsil.orders where id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]!),
      Effect.orDie
    )
  )

/** A simulator provider, configured through the admin API. */
export const simulatorProvider = (id: string, options: SimulatorOptions = {}) =>
  Effect.flatMap(adminClient, (admin) =>
    admin.admin.putProvider({
      params: { id },
      payload: { kind: "simulator", name: `Simulator ${id}`, enabled: true, options }
    })
  )

/** A package sold at `price` USD with `route`, configured through the admin API. */
export const routedPackage = (id: string, route: Route, price = "35.00") =>
  Effect.flatMap(adminClient, (admin) =>
    admin.admin.putPackage({
      params: { id },
      payload: { name: `Package ${id}`, price, currency: "USD", enabled: true, route, mappings: {} }
    })
  )

/** The simulator's calls of one operation (optionally for one provider), oldest first. */
export const simulatorCalls = (operation: "place" | "check", providerId?: string) =>
  Effect.flatMap(SimulatorProvider, (simulator) =>
    Effect.map(simulator.calls, (calls) =>
      calls.filter(
        (c) => c.operation === operation && (providerId === undefined || c.providerId === providerId)
      )
    )
  )

/** The order's ledger entries, oldest first. */
export const ledgerOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ kind: string; amount: string; balance_after: string }>`
      select kind, amount::text, balance_after::text from tawsil.ledger_entries where order_id = ${orderId} order by id`.pipe(
      Effect.orDie
    )
  )

/** The order's dispatch log, oldest first. */
export const dispatchLogOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ provider_id: string | null; action: string; outcome: string }>`
      select provider_id, action, outcome from tawsil.dispatch_log where order_id = ${orderId} order by id`.pipe(
      Effect.orDie
    )
  )

/** The order's outbox row (absent once the engine is done with it). */
export const outboxOf = (orderId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ owner_node: string | null; fence: string }>`
      select owner_node, fence::text from tawsil.outbox where order_id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]),
      Effect.orDie
    )
  )
