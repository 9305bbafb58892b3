import { Cause, Clock, Context, Duration, Effect, References } from "effect"
import type { DispatchJob } from "../orders/DispatchJob.js"
import { watchStep } from "../monitor/StatusMonitor.js"
import { countOrderFinished } from "../observability/Metrics.js"
import { Providers } from "../providers/Providers.js"
import { DispatchConfig, type DispatchSettings } from "./DispatchConfig.js"
import type { Lease, LeaseLost } from "../orders/Lease.js"
import { OrderStore } from "../orders/OrderStore.js"
import type { Phase } from "../monitor/Phase.js"
import type { RoutedJob } from "../providers/Routing.js"
import { resumption, routedJob } from "./Resume.js"
import { SendGate } from "./SendGate.js"
import { sendStep } from "./SendStep.js"

/**
 * What every order fiber of one engine shares, read once when the engine starts: the fibers get it as an
 * argument, not through their context, so a fiber waiting for its next check holds no services of its own.
 */
export interface OrderEngine {
  readonly settings: DispatchSettings
  readonly store: OrderStore["Service"]
  readonly providers: Providers["Service"]
  readonly gate: SendGate["Service"]
  /** `SendStep` reads the services from its context: added (as overlays) only for the length of a send */
  readonly addServices: (
    context: Context.Context<never>
  ) => Context.Context<DispatchConfig | OrderStore | Providers | SendGate>
}

export const makeOrderEngine = (
  settings: DispatchSettings,
  store: OrderStore["Service"],
  providers: Providers["Service"],
  gate: SendGate["Service"]
): OrderEngine => ({
  settings,
  store,
  providers,
  gate,
  addServices: (context) =>
    context.pipe(
      Context.add(DispatchConfig, settings),
      Context.add(OrderStore, store),
      Context.add(Providers, providers),
      Context.add(SendGate, gate)
    )
})

/** One order's run in the engine: the little state its phases share. */
class OrderRun {
  constructor(
    readonly engine: OrderEngine,
    readonly lease: Lease,
    readonly job: RoutedJob,
    readonly startedAt: number,
    public sentAtMillis: number | undefined,
    /** before the first check of a watch: one interval after a send, less after a resume */
    public firstDelay: Duration.Duration
  ) {
    // assigned here, not as a class field: run through tsx (esbuild), a field's arrow function is given its own
    // `name` property, ~350 bytes per order in the heap snapshot
    this.next = (phase) => continueFrom(this, phase)
  }

  /** the continuation after a watch: one per order, not one per phase */
  readonly next: (phase: Phase) => Effect.Effect<string, LeaseLost>
}

/**
 * The phases, one after the other: send (with retries and fallback), then watch until settled. Written as a chain
 * of effects, not a generator, so that a fiber asleep between two checks keeps only the watch's state and one
 * continuation per level alive.
 */
const continueFrom = (run: OrderRun, phase: Phase): Effect.Effect<string, LeaseLost> => {
  switch (phase._tag) {
    case "Send":
      return Effect.flatMap(
        run.sentAtMillis === undefined ? Clock.currentTimeMillis : Effect.succeed(run.sentAtMillis),
        (sentAt) => {
          run.sentAtMillis = sentAt
          return Effect.flatMap(
            Effect.updateContext(
              sendStep(run.lease, run.job, phase.hop, phase.loop === true),
              run.engine.addServices
            ),
            (next) => {
              run.firstDelay = run.engine.settings.pollInterval
              return continueFrom(run, next)
            }
          )
        }
      )
    case "Watch": {
      const sentAtMillis = run.sentAtMillis ?? run.startedAt
      return Effect.flatMap(
        watchStep(run.engine, run.lease, run.job, phase, { firstDelay: run.firstDelay, sentAtMillis }),
        run.next
      )
    }
    case "Finished":
      return Effect.logInfo("order finished in the engine").pipe(
        Effect.annotateLogs({ outcome: phase.outcome }),
        Effect.andThen(countOrderFinished(phase.outcome)),
        Effect.as(phase.outcome)
      )
  }
}

/** Where the order stands and for how long (on the Clock that wrote its timestamps), then its run from there. */
const startFrom = (
  engine: OrderEngine,
  lease: Lease,
  job: DispatchJob,
  secondsSinceSent: number | undefined,
  secondsSinceChecked: number | undefined
): Effect.Effect<string, LeaseLost> =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
    const start = resumption(job, engine.settings, startedAt, secondsSinceSent, secondsSinceChecked)
    if (start === undefined) return Effect.as(engine.store.complete(lease), "nothing to do")
    const run = new OrderRun(engine, lease, routedJob(job), startedAt, start.sentAtMillis, start.firstDelay)
    return continueFrom(run, start.phase)
  })

/** The whole life of one order in the engine: send (with retries and fallback), then watch until settled. */
export const runOrder = (
  engine: OrderEngine,
  lease: Lease,
  fresh?: DispatchJob
): Effect.Effect<string, LeaseLost> =>
  // a fiber started right after its order's commit already has its job; a resumed one reads it back
  fresh !== undefined
    ? startFrom(engine, lease, fresh, undefined, undefined)
    : Effect.flatMap(engine.store.load(lease.orderId), (job) =>
        job === undefined
          ? Effect.as(engine.store.complete(lease), "nothing to do")
          : startFrom(engine, lease, job, job.secondsSinceSent, job.secondsSinceChecked)
      )

/**
 * The order's fiber: `runOrder` under its log annotations (`module`, `orderId`, on every line of the fiber and
 * read by the test kit's clock), stopped quietly by a lost lease, and restarted from the database state 5 s after
 * a crash (a defect, e.g. the database went away). Only the first run may use the job handed over at creation: a
 * restart reads the order back, so a send that was in flight when the program crashed is found `sending` and
 * checked before any re-send.
 *
 * The annotations are set once on the fiber's own context (the fiber is new, nothing runs after its program), and
 * one handler covers both a lost lease and a crash: what the fiber keeps while it sleeps is one small context
 * overlay and one failure frame, not a stack of wrappers.
 */
export const superviseOrder = (
  engine: OrderEngine,
  lease: Lease,
  fresh?: DispatchJob
): Effect.Effect<unknown> =>
  Effect.withFiber((fiber) => {
    const annotations = Context.get(fiber.context, References.CurrentLogAnnotations)
    fiber.setContext(
      Context.add(fiber.context, References.CurrentLogAnnotations, {
        ...annotations,
        module: "OrderFiber",
        orderId: lease.orderId
      })
    )
    return supervised(engine, lease, fresh)
  })

const supervised = (
  engine: OrderEngine,
  lease: Lease,
  fresh: DispatchJob | undefined
): Effect.Effect<unknown> => {
  // the handler's frame holds the effect it guards for the whole life of the fiber: that effect must not keep the
  // created job (the run keeps only its routed fields)
  let handedOver = fresh
  const run = Effect.suspend(() => {
    const job = handedOver
    handedOver = undefined
    return runOrder(engine, lease, job)
  })
  return Effect.catchCause(run, (cause): Effect.Effect<unknown> => {
    const defect = cause.reasons.find(Cause.isDieReason)
    if (defect !== undefined) {
      return Effect.logError(
        "order fiber crashed; restarting from the database state",
        Cause.die(defect.defect)
      ).pipe(
        Effect.annotateLogs({ module: "Dispatcher", orderId: lease.orderId }),
        Effect.andThen(Effect.sleep(restartDelay)),
        Effect.andThen(Effect.suspend(() => supervised(engine, lease, undefined)))
      )
    }
    const failure = cause.reasons.find(Cause.isFailReason)
    if (failure !== undefined) {
      return Effect.logInfo("lease lost: another owner or an operator has this order; stopping").pipe(
        Effect.annotateLogs({ step: failure.error.step })
      )
    }
    return Effect.failCause(cause as Cause.Cause<never>)
  })
}

const restartDelay = Duration.seconds(5)
