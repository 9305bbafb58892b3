import { Clock, Duration, Effect, FiberMap, Queue, Schedule } from "effect"
import { hostname } from "node:os"
import { randomBytes } from "node:crypto"
import type { DispatchJob } from "../orders/DispatchJob.js"
import type { Lease } from "../orders/Lease.js"
import type { OrderStore } from "../orders/OrderStore.js"
import type { Providers } from "../providers/Providers.js"
import type { DispatchSettings } from "./DispatchConfig.js"
import type { Outbox } from "./Outbox.js"
import { makeOrderEngine, superviseOrder } from "./OrderFiber.js"
import { SendGate } from "./SendGate.js"

const claimBatch = 500

/**
 * One engine node: one supervised fiber per order in a `FiberMap` keyed by order id (never two fibers for one
 * order in a process), a heartbeat that keeps this node's leases alive, and a claim loop that adopts unowned
 * orders and those of silent nodes. Closing its scope interrupts every order fiber and releases the node's orders
 * so another node can take them at once; after a crash (`crashed()`) it drains and releases nothing.
 */
export const runEngineNode = (
  settings: DispatchSettings,
  outbox: Outbox["Service"],
  store: OrderStore["Service"],
  providers: Providers["Service"],
  crashed: () => boolean
) =>
  Effect.gen(function* () {
    const nodeId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`
    yield* outbox.heartbeat(nodeId).pipe(Effect.orDie)
    yield* Effect.addFinalizer(() =>
      crashed()
        ? Effect.void
        : outbox.releaseAll(nodeId).pipe(
            Effect.tap(() => Effect.logInfo("engine stopped; its orders are released")),
            Effect.catchCause((cause) => Effect.logError("could not release orders on shutdown", cause)),
            Effect.annotateLogs({ module: "Dispatcher", nodeId })
          )
    )
    const fibers = yield* FiberMap.make<string>()
    const gate = yield* SendGate.make(settings.leaseTtl)
    // finalizers run in reverse: this one runs before the FiberMap interrupts the order fibers, so sends already
    // in flight can finish (and be recorded) within the grace period; no new send starts meanwhile
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        if (crashed()) return
        const inFlight = yield* gate.drain
        if (inFlight === 0 || Duration.isZero(settings.shutdownGrace)) return
        yield* Effect.logInfo("shutting down: waiting for sends in flight").pipe(
          Effect.annotateLogs({ module: "Dispatcher", inFlight })
        )
        yield* gate.inFlight.pipe(
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (n) => n === 0 }),
          Effect.timeout(settings.shutdownGrace),
          Effect.ignore
        )
      })
    )

    // what every order fiber shares, passed to it rather than provided into each fiber's context; the fibers keep
    // the context of the fiber that starts them (Clock, log annotations, span), as before. `superviseOrder`
    // restarts a crashed order program from the database state.
    const engine = makeOrderEngine(settings, store, providers, gate)

    // a claim never replaces a running fiber; a fresh job (a new order, an operator's re-dispatch) replaces a stale
    // one, whose writes would find the new lease anyway
    const start = (lease: Lease, fresh?: DispatchJob) =>
      FiberMap.run(fibers, lease.orderId, superviseOrder(engine, lease, fresh), {
        onlyIfMissing: fresh === undefined
      }).pipe(Effect.asVoid)

    // A heartbeat gap longer than the lease TTL (the process was paused, or the database unreachable) means other
    // nodes may have taken this node's orders: every order fiber stops, and the orders still owned here are
    // re-adopted under a new fence and restarted from the database.
    const heartbeatOnce = Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const silent = at - (yield* gate.lastBeat) >= Duration.toMillis(settings.leaseTtl)
      if (silent) {
        yield* Effect.logWarning("heartbeat gap past the lease TTL: stopping every order fiber of this node")
        yield* FiberMap.clear(fibers)
      }
      yield* outbox.heartbeat(nodeId)
      yield* gate.beat(at)
      if (silent) {
        const leases = yield* outbox.readopt(nodeId)
        yield* Effect.logInfo("orders re-adopted after a heartbeat gap").pipe(
          Effect.annotateLogs({ count: leases.length })
        )
        yield* Effect.forEach(leases, (lease) => start(lease), { discard: true })
      }
    })
    const heartbeatLoop = heartbeatOnce.pipe(
      Effect.catchCause((cause) => Effect.logWarning("heartbeat failed", cause)),
      Effect.repeat(Schedule.spaced(settings.heartbeatInterval)),
      Effect.annotateLogs({ module: "Dispatcher", fiber: "heartbeat", nodeId })
    )
    // the claim loop claims every heartbeat interval, and at once when this process wakes it (`OutboxWake`: a host's
    // commit of `Orders.createIn`). Other nodes find such orders at their next claim. (A LISTEN on `outboxChannel`
    // would wake them too: tried, and left out — its connection kept a closed engine's loops alive in tests.)
    const wakeUp = yield* Queue.sliding<void>(1)
    const claimLoop = outbox.claim(nodeId, settings.leaseTtl, claimBatch).pipe(
      Effect.tap((leases) =>
        leases.length === 0
          ? Effect.void
          : Effect.logInfo("claimed orders").pipe(Effect.annotateLogs({ count: leases.length }))
      ),
      Effect.flatMap((leases) => Effect.forEach(leases, (lease) => start(lease), { discard: true })),
      Effect.catchCause((cause) => Effect.logWarning("claim failed", cause)),
      Effect.andThen(Effect.raceFirst(Effect.sleep(settings.heartbeatInterval), Queue.take(wakeUp))),
      Effect.forever,
      Effect.annotateLogs({ module: "Dispatcher", fiber: "claim", nodeId })
    )
    yield* Effect.forkScoped(heartbeatLoop)
    yield* Effect.forkScoped(claimLoop)
    yield* Effect.logInfo("engine started").pipe(Effect.annotateLogs({ module: "Dispatcher", nodeId }))

    return {
      nodeId,
      startCreated: (orders: ReadonlyArray<DispatchJob>) =>
        Effect.forEach(orders, (order) => start({ orderId: order.id, nodeId, fence: 1 }, order), {
          discard: true
        }),
      inFlight: FiberMap.size(fibers),
      wake: Queue.offer(wakeUp, undefined).pipe(Effect.asVoid),
      lastBeat: gate.lastBeat
    } as const
  })
