import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { layer as tawsilLayer, servicesLayer, type TawsilOptions } from "../../src/embed/TawsilLayer.js"
import { CreateOrderRequest } from "../../src/orders/Order.js"
import { eventually } from "../support/Eventually.js"
import { TestDatabase } from "../support/TestDatabase.js"

const settings = { retryJitter: false, shutdownGrace: Duration.zero, leaseTtl: Duration.days(1) }

/** Tawsil embedded with its engine, as a host wires it, on the caller's database (its SqlClient). */
export const hostNode = (options: TawsilOptions = {}) =>
  tawsilLayer({
    ...options,
    dispatch: { ...settings, ...(options.dispatch === "environment" ? {} : options.dispatch) }
  }).pipe(Layer.provide(NodeHttpClient.layerNodeHttp))

/** Tawsil without an engine (an intake-only node) on the caller's database. */
export const intakeNode = servicesLayer({ dispatch: settings }).pipe(
  Layer.provide(NodeHttpClient.layerNodeHttp)
)

/** A host node over a fresh database; provide it inside the test, so its fibers run on the test's TestClock. */
export const hostStack = (options: TawsilOptions = {}) =>
  hostNode(options).pipe(Layer.provideMerge(TestDatabase))

/** The host's own table, beside Tawsil's (in `public`). */
export const createPurchases = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`create table purchases (id text primary key, order_id uuid not null)`.pipe(Effect.orDie)
)

export const purchasesCount = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ n: number }>`select count(*)::int as n from purchases`.pipe(
    Effect.map((rows) => rows[0]!.n),
    Effect.orDie
  )
)

export const request = (packageId: string) =>
  new CreateOrderRequest({ packageId, playerId: "5551234", quantity: 1 })

/** Moves the TestClock a second at a time (real I/O landing in between) until `probe` satisfies `done`. */
export const advanceUntil = <A, E, R>(
  probe: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  maxSeconds = 60
) =>
  Effect.gen(function* () {
    for (let i = 0; i < maxSeconds; i++) {
      const value = yield* probe
      if (done(value)) return value
      yield* TestClock.adjust("1 second")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
    }
    return yield* eventually(probe, done)
  })
