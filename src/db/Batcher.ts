import { Deferred, type Duration, Effect, Exit, Option, Queue, type Scope, Semaphore } from "effect"

export interface BatcherOptions<I, O, E> {
  /** Answers the items of one batch, in their order; its failure is the answer of every call in the batch. */
  readonly run: (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<O>, E>
  /** The most calls one run serves. */
  readonly maxBatch: number
  /** Runs in flight at once: one slow run does not hold every other call. */
  readonly concurrency: number
  /** How long the first call of a batch waits (on the Clock) for company; without it a free runner starts at once. */
  readonly window?: Duration.Input | undefined
}

interface Waiting<I, O, E> {
  readonly item: I
  readonly done: Deferred.Deferred<O, E>
}

/** The answer of the `i`-th call of a batch: the run's own failure, or its `i`-th answer. */
const answerOf = <O, E>(exit: Exit.Exit<ReadonlyArray<O>, E>, i: number): Exit.Exit<O, E> => {
  if (Exit.isFailure(exit)) return Exit.failCause(exit.cause)
  return i < exit.value.length
    ? Exit.succeed(exit.value[i]!)
    : Exit.die(new Error("a batch answered fewer items than it was given"))
}

/**
 * Group commit for a call many independent fibers make at once (a write, a provider's status check): calls that
 * arrive while every runner is busy are gathered, up to `maxBatch`, and served by the next free runner's one run,
 * each caller getting its own answer. Under low load a call costs one run, as without batching; under high load a
 * run serves many. With a `window`, one runner at a time holds it open, so the others' calls join its batch.
 *
 * Not Effect's `RequestResolver` (`batchN`, `setDelay`): it closes a batch after its delay whether or not runs are
 * in flight and has no cap on them, so under load it makes many small concurrent runs instead of a few full ones;
 * and a batch runs in the context of the call that opened it (one order fiber's log annotations and span).
 */
export const makeBatcher = <I, O, E = never>(
  options: BatcherOptions<I, O, E>
): Effect.Effect<(item: I) => Effect.Effect<O, E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Waiting<I, O, E>>(), Queue.shutdown)
    const takeQueued = Queue.takeBetween(queue, 1, options.maxBatch)
    const gather = (window: Duration.Input) =>
      Effect.gen(function* () {
        const first = yield* takeQueued
        if (first.length >= options.maxBatch) return first
        yield* Effect.sleep(window)
        const batch = [...first]
        // what is queued now, up to a full batch, without waiting
        while (batch.length < options.maxBatch) {
          const next = yield* Queue.poll(queue)
          if (Option.isNone(next)) break
          batch.push(next.value)
        }
        return batch
      })
    const collect =
      options.window === undefined
        ? takeQueued
        : (yield* Semaphore.make(1)).withPermits(1)(gather(options.window))

    const settle = (batch: ReadonlyArray<Waiting<I, O, E>>) =>
      options.run(batch.map((waiting) => waiting.item)).pipe(
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.forEach(batch, (waiting, i) => Deferred.done(waiting.done, answerOf(exit, i)), {
            discard: true
          })
        )
      )

    const runner = Effect.forever(Effect.flatMap(collect, settle))
    for (let i = 0; i < options.concurrency; i++) yield* Effect.forkScoped(runner)

    return (item: I) =>
      Effect.flatMap(Deferred.make<O, E>(), (done) =>
        Effect.andThen(Queue.offer(queue, { item, done }), Deferred.await(done))
      )
  })
