import { Effect, type Exit, Option } from "effect"
import { SqlClient } from "effect/sql"
import { writeIsolating } from "./BatchIsolation.js"
import type { IntakeCommand } from "./CreateOrder.js"
import { type IntakeResult, writeIntakeBatch } from "./IntakeBatch.js"
import { OutboxWake } from "./OutboxWake.js"
import { TawsilTables } from "../db/Tables.js"

/**
 * One create written on the caller's connection: inside a host's `sql.withTransaction` it is a savepoint of the
 * host's transaction (outside one, a transaction of its own), with the same statements as a batch of intake. The
 * outbox row is written unowned, so no fiber starts for an order that may yet be rolled back: at commit this
 * process's engine is woken to claim it; without an engine here, an engine elsewhere claims it at its next poll (one
 * heartbeat interval, 3 s by default).
 */
export const makeHostTransactionIntake = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = yield* TawsilTables
  const wake = yield* Effect.serviceOption(OutboxWake)

  const write = (commands: ReadonlyArray<IntakeCommand>) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          const { results, jobs } = yield* writeIntakeBatch(t, commands, null)
          if (jobs.length > 0 && Option.isSome(wake)) yield* sql.afterCommit(wake.value.wake)
          return results
        })
      )
      .pipe(Effect.provideService(SqlClient.SqlClient, sql))

  // a unique violation (the same idempotency key committed meanwhile by another transaction) rolls back only the
  // savepoint and is written again: the earlier order is found and replayed
  const writeOne = writeIsolating(write)

  return (command: IntakeCommand): Effect.Effect<Exit.Exit<IntakeResult>> =>
    Effect.map(writeOne([command]), (exits) => exits[0]!)
})
