import { Context, Effect, Exit, Layer, Option, Result } from "effect"
import { SqlClient } from "effect/sql"
import { randomUUID } from "node:crypto"
import { makeBatcher } from "../db/Batcher.js"
import { writeIsolating } from "./BatchIsolation.js"
import { DispatchHandoff } from "./DispatchHandoff.js"
import type { CreatedOrder, CreateOrderCommand, CreateOrderError, IntakeCommand } from "./CreateOrder.js"
import { makeHostTransactionIntake } from "./HostTransactionIntake.js"
import { type IntakeResult, writeIntakeBatch } from "./IntakeBatch.js"
import { validateCreate } from "./IntakeValidation.js"
import { TawsilTables } from "../db/Tables.js"

/** Creates gathered into one transaction at most, and transactions of creates in flight at once. */
const maxBatch = 256
const writers = 1

/**
 * Group commit for order creation. Concurrent creates queue up while a transaction is in flight and the next
 * writer takes them all (up to `maxBatch`) into one transaction, so a single hot account is not limited by one
 * row-lock round trip per order. Each caller still gets its own answer.
 */
export class OrderIntake extends Context.Service<OrderIntake>()("tawsil/orders/OrderIntake", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const handoff = yield* Effect.serviceOption(DispatchHandoff)
    // read for each batch: the engine's node may have been replaced (a crash and restart in a test)
    const owner = () => Option.match(handoff, { onNone: () => null, onSome: (h) => h.nodeId })

    const write = (commands: ReadonlyArray<IntakeCommand>) =>
      sql.withTransaction(writeIntakeBatch(t, commands, owner())).pipe(
        Effect.provideService(SqlClient.SqlClient, sql),
        // the span ends at the commit: the order fibers started below must not become its children
        Effect.withSpan("OrderIntake.writeBatch", { attributes: { size: commands.length } }),
        // the fibers start only after the commit: an order is never dispatched before it durably exists
        Effect.tap(({ jobs }) =>
          Option.match(handoff, { onNone: () => Effect.void, onSome: (h) => h.started(jobs) })
        ),
        Effect.map(({ results }) => results)
      )

    // one bad command must not fail its neighbours, nor make them wait for one transaction each
    const writeBatch = writeIsolating(write)

    const create = yield* makeBatcher({
      run: (commands: ReadonlyArray<IntakeCommand>) =>
        writeBatch(commands).pipe(Effect.annotateLogs({ module: "OrderIntake" })),
      maxBatch,
      concurrency: writers
    })

    const submit = (command: CreateOrderCommand) =>
      Effect.gen(function* () {
        yield* validateCreate(command)
        return yield* exitOf(yield* create({ ...command, orderId: randomUUID() }))
      })

    const writeInHost = yield* makeHostTransactionIntake

    /** One create in the caller's current transaction, outside the batches (`HostTransactionIntake.ts`). */
    const submitIn = (command: CreateOrderCommand) =>
      Effect.gen(function* () {
        yield* validateCreate(command)
        return yield* exitOf(yield* writeInHost({ ...command, orderId: randomUUID() }))
      })

    return { submit, submitIn } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}

const resultToExit = (result: IntakeResult): Exit.Exit<CreatedOrder, CreateOrderError> =>
  Result.match(result, { onFailure: Exit.fail, onSuccess: Exit.succeed })

const exitOf = (exit: Exit.Exit<IntakeResult>): Exit.Exit<CreatedOrder, CreateOrderError> =>
  Exit.isSuccess(exit) ? resultToExit(exit.value) : Exit.failCause(exit.cause)
