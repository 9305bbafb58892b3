import { Context, Effect, Exit, Layer, Scope } from "effect"
import { DispatchHandoff } from "../orders/DispatchHandoff.js"
import type { DispatchJob } from "../orders/DispatchJob.js"
import { OutboxWake } from "../orders/OutboxWake.js"
import { OrderStore } from "../orders/OrderStore.js"
import { Providers } from "../providers/Providers.js"
import { DispatchConfig } from "./DispatchConfig.js"
import { runEngineNode } from "./EngineNode.js"
import { Outbox } from "./Outbox.js"

/** A node that stopped as if its process had died: its id, and the Clock millis of its last heartbeat. */
export interface CrashedNode {
  readonly nodeId: string
  readonly lastBeatMillis: number
}

/**
 * The engine of this process: one node (`EngineNode.ts`) in a scope of its own inside the layer's. Closing the
 * layer's scope stops it and releases its orders. `crash` stops it as if the process had died (its fibers
 * interrupted, nothing drained, no order released: its node row is left to expire) and `restart` starts a new node
 * (a new id) in its place, which claims the dead node's orders once its lease has expired: `tawsil/testing`'s
 * `crash()` and `restart()`. Intake reads `nodeId` for each write.
 */
export class Dispatcher extends Context.Service<Dispatcher>()("tawsil/dispatch/Dispatcher", {
  make: Effect.gen(function* () {
    const settings = yield* DispatchConfig
    const outbox = yield* Outbox
    const store = yield* OrderStore
    const providers = yield* Providers
    const layerScope = yield* Effect.scope
    // a node started after a crash runs in what the first one ran in (Clock, tracer, log annotations)
    const context = yield* Effect.context<never>()
    const launch = Effect.gen(function* () {
      const life: { crashed: CrashedNode | undefined } = { crashed: undefined }
      const scope = yield* Scope.fork(layerScope)
      const node = yield* Scope.provide(
        runEngineNode(settings, outbox, store, providers, () => life.crashed !== undefined),
        scope
      )
      return { node, scope, life }
    }).pipe(Effect.provideContext(context))
    let current = yield* launch
    const running = () => (current.life.crashed === undefined ? current.node : undefined)

    const crash: Effect.Effect<CrashedNode> = Effect.suspend(() => {
      const { node, scope, life } = current
      if (life.crashed !== undefined) return Effect.succeed(life.crashed)
      return Effect.gen(function* () {
        const crashed: CrashedNode = { nodeId: node.nodeId, lastBeatMillis: yield* node.lastBeat }
        life.crashed = crashed
        yield* Scope.close(scope, Exit.void)
        yield* Effect.logWarning(
          "engine crashed: its order fibers stopped, its orders wait for its lease to expire"
        )
        return crashed
      }).pipe(Effect.annotateLogs({ module: "Dispatcher", nodeId: node.nodeId }))
    })

    return {
      /** This process's node: the one new orders are written for (fence 1) */
      get nodeId() {
        return current.node.nodeId
      },
      /** Start the fibers of orders this node just created (their rows carry fence 1); none after a crash. */
      startCreated: (orders: ReadonlyArray<DispatchJob>) =>
        Effect.suspend(() => running()?.startCreated(orders) ?? Effect.void),
      inFlight: Effect.suspend(() => running()?.inFlight ?? Effect.succeed(0)),
      /** Claim unowned orders now rather than at the next poll (orders just committed by a host's transaction). */
      wake: Effect.suspend(() => running()?.wake ?? Effect.void),
      /** The node stops as if its process had died (again: the same dead node). */
      crash,
      /** A new node in place of the crashed one (the running one crashes first). */
      restart: Effect.gen(function* () {
        yield* crash
        current = yield* launch
      })
    } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make).pipe(Layer.provide([Outbox.layer, OrderStore.layer]))
}

/** Lets order intake hand its new orders straight to this node's engine. */
export const DispatchHandoffLive = Layer.effect(
  DispatchHandoff,
  Effect.map(Dispatcher, (dispatcher) => ({
    get nodeId() {
      return dispatcher.nodeId
    },
    started: dispatcher.startCreated
  }))
)

/** Lets a create in a host's transaction wake this node's claim loop after the commit. */
export const OutboxWakeLive = Layer.effect(
  OutboxWake,
  Effect.map(Dispatcher, (dispatcher) => ({ wake: dispatcher.wake }))
)
