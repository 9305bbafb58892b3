import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { DispatchConfig, type DispatchSettings } from "../../src/dispatch/DispatchConfig.js"
import { AdminToken } from "../../src/http/AdminToken.js"
import { HttpLive, ServicesWithEngineLive } from "../../src/http/Server.js"
import { TestDatabase } from "./TestDatabase.js"
import { testAdminToken } from "./TestServer.js"

/**
 * The whole service — HTTP server, order services, dispatch engine with the in-process simulator — over a fresh
 * database. Build it inside a test (`Effect.provide`) so every fiber it starts runs on that test's TestClock.
 */
export const engineStack = (settings: Partial<DispatchSettings> = {}) =>
  HttpLive.pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(
      Layer.mergeAll(ServicesWithEngineLive, AdminToken.layer(Redacted.make(testAdminToken)))
    ),
    Layer.provide(DispatchConfig.layer({ retryJitter: false, ...settings })),
    Layer.provideMerge(TestDatabase)
  )

/** Real time, for waiting on I/O (database, sockets) while the TestClock stands still. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/**
 * Waits until `probe` satisfies `done`, re-probing on real time (at most ~10 s), and returns its last value.
 * This waits for I/O to land, never for engine time: engine time moves only through TestClock.adjust.
 */
export const eventually = <A, E, R>(probe: Effect.Effect<A, E, R>, done: (a: A) => boolean) =>
  probe.pipe(
    Effect.flatMap((a) => (done(a) ? Effect.succeed(a) : Effect.zipRight(realPause, Effect.fail(notYet)))),
    Effect.retry({ times: 2000, while: (e) => e === notYet }),
    Effect.catchIf(
      (e) => e === notYet,
      () => Effect.dieMessage("condition not reached in time")
    )
  )

const notYet = "not yet" as const

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
    }>`select status, dispatch_state, attempts, provider_id, fallback_from, pin from orders where id = ${orderId}`.pipe(
      Effect.map((rows) => rows[0]!),
      Effect.orDie
    )
  )
