import { Deferred, type Duration, Effect, Exit, Option, Queue, Result, type Scope, Semaphore } from "effect"

export interface BatchOptions {
  /** How long the first call of a batch waits for company before the batch goes out. */
  readonly window: Duration.Input
  /** The most calls in one batch (Barakat's check takes up to 50 ids). */
  readonly maxBatch: number
  /** Batches in flight at once: one slow batch does not hold every other order's check. */
  readonly concurrency: number
}

/** The answer of the `i`-th item of a batch: the batch's own failure, or the item's answer. */
const answerOf = <B, E>(
  exit: Exit.Exit<ReadonlyArray<Result.Result<B, E>>, E>,
  i: number
): Exit.Exit<B, E> => {
  if (Exit.isFailure(exit)) return Exit.failCause(exit.cause)
  const answer = exit.value[i]
  return answer === undefined
    ? Exit.die(new Error("batch answered fewer items than it was given"))
    : Result.match(answer, { onFailure: (e): Exit.Exit<B, E> => Exit.fail(e), onSuccess: Exit.succeed })
}

interface Waiting<A, B, E> {
  readonly item: A
  readonly done: Deferred.Deferred<B, E>
}

/**
 * Gathers calls from independent fibers into batches of at most `maxBatch` and answers each caller from its batch.
 * Effect's own request batching only joins requests made inside one `Effect.forEach({ batching: true })`; the
 * order fibers that check are independent, so they meet here instead: each call is queued with a `Deferred`, and
 * one fiber takes what is queued — waiting `window` (on the Clock) for more when the batch is not full — and runs
 * the batch. While batches are in flight or the window is open, new calls pile up for the next batch.
 *
 * `run` answers each item in order (an item may have its own error), or fails the whole batch.
 */
export const makeBatcher = <A, B, E>(
  options: BatchOptions,
  run: (items: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<Result.Result<B, E>>, E>
): Effect.Effect<(item: A) => Effect.Effect<B, E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Waiting<A, B, E>>(), Queue.shutdown)
    const inFlight = yield* Semaphore.make(options.concurrency)

    const collect = Effect.gen(function* () {
      const first = yield* Queue.takeBetween(queue, 1, options.maxBatch)
      if (first.length >= options.maxBatch) return [...first]
      yield* Effect.sleep(options.window)
      const batch = [...first]
      // what is queued now, up to a full batch, without waiting (Effect 3's `Queue.takeUpTo`)
      while (batch.length < options.maxBatch) {
        const next = yield* Queue.poll(queue)
        if (Option.isNone(next)) break
        batch.push(next.value)
      }
      return batch
    })

    const settle = (batch: ReadonlyArray<Waiting<A, B, E>>) =>
      run(batch.map((waiting) => waiting.item)).pipe(
        Effect.exit,
        Effect.flatMap((exit) =>
          Effect.forEach(batch, (waiting, i) => Deferred.done(waiting.done, answerOf(exit, i)))
        )
      )

    yield* inFlight.take(1).pipe(
      Effect.andThen(collect),
      Effect.flatMap((batch) => settle(batch).pipe(Effect.ensuring(inFlight.release(1)), Effect.forkScoped)),
      Effect.forever,
      Effect.forkScoped
    )

    return (item: A) =>
      Effect.flatMap(Deferred.make<B, E>(), (done) =>
        Queue.offer(queue, { item, done }).pipe(Effect.andThen(Deferred.await(done)))
      )
  })
