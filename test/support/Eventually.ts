import { Clock, Data, Effect } from "effect"
import { inspect } from "node:util"

/** Real time: I/O (database, sockets) lands on it while the TestClock stands still. */
const live = Clock.Clock.defaultValue()
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/** An `eventually` that ran out of time: the condition it waited for, and the value it saw last. */
export class ConditionNotReached extends Data.TaggedError("ConditionNotReached")<{
  readonly condition: string
  readonly lastValue: string
  readonly waitedMillis: number
}> {
  override get message() {
    return `condition not reached within ${this.waitedMillis} ms (real time): ${this.condition}; last value: ${this.lastValue}`
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The condition as its source reads (`(o) => o.status === "approved"`), unless the caller names it. */
const conditionOf = (done: (a: never) => boolean, named: string | undefined) =>
  named ?? clip(done.toString().replace(/\s+/g, " "), 300)

const show = (value: unknown) =>
  clip(inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 }), 1000)

/** `eventually` with another real-time limit. */
export const eventuallyWithin =
  (limitMillis: number) =>
  <A, E, R>(
    probe: Effect.Effect<A, E, R>,
    done: (a: A) => boolean,
    condition?: string
  ): Effect.Effect<A, E, R> =>
    Effect.gen(function* () {
      const startedAt = live.currentTimeMillisUnsafe()
      while (true) {
        const value = yield* probe
        if (done(value)) return value
        const waitedMillis = live.currentTimeMillisUnsafe() - startedAt
        if (waitedMillis >= limitMillis) {
          return yield* Effect.die(
            new ConditionNotReached({
              condition: conditionOf(done, condition),
              lastValue: show(value),
              waitedMillis
            })
          )
        }
        yield* realPause
      }
    })

/**
 * Waits until `probe` satisfies `done`, re-probing on real time (at most ~15 s), and returns its last value.
 * This waits for I/O to land, never for engine time: engine time moves only through TestClock.adjust. On timeout
 * the test dies with `ConditionNotReached`, naming the condition (`condition`, or the source of `done`).
 */
export const eventually = eventuallyWithin(15_000)
