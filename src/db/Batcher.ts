import { Deferred, Effect, Exit, Queue, type Scope } from "effect"

/**
 * Group commit for a write many fibers make at once: calls that arrive while a statement is in flight are
 * gathered (up to `maxBatch`) and written by the next statement, each caller getting its own result. Under low
 * load a call costs one statement, as before; under high load a statement serves many.
 */
export const makeBatcher = <I, O>(options: {
  readonly run: (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<O>>
  readonly maxBatch: number
  readonly concurrency: number
}): Effect.Effect<(item: I) => Effect.Effect<O>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<readonly [I, Deferred.Deferred<O>]>()
    yield* Effect.addFinalizer(() => Queue.shutdown(queue))
    const drain = Queue.takeBetween(queue, 1, options.maxBatch).pipe(
      Effect.flatMap((chunk) => {
        const pending = Array.from(chunk)
        return options.run(pending.map(([item]) => item)).pipe(
          Effect.exit,
          Effect.flatMap((exit) =>
            Effect.forEach(pending, ([, done], i) =>
              Exit.isSuccess(exit)
                ? Deferred.succeed(done, exit.value[i]!)
                : Deferred.failCause(done, exit.cause)
            )
          )
        )
      }),
      Effect.forever
    )
    for (let i = 0; i < options.concurrency; i++) yield* Effect.forkScoped(drain)
    return (item: I) =>
      Effect.flatMap(Deferred.make<O>(), (done) =>
        Effect.andThen(Queue.offer(queue, [item, done] as const), Deferred.await(done))
      )
  })
