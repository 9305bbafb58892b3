import { Effect, Exit } from "effect"
import type { SqlError } from "effect/sql"

// @effect/sql-pg 4 keeps the server's error fields (code, detail, message) on the reason's cause
const pgField = (error: SqlError.SqlError, field: "code" | "detail" | "message"): string => {
  const cause: unknown = error.reason.cause
  const value: unknown = typeof cause === "object" && cause !== null ? Reflect.get(cause, field) : undefined
  return typeof value === "string" ? value : ""
}

export const isUniqueViolation = (error: SqlError.SqlError) => error.reason._tag === "UniqueViolation"

// data exception (22), integrity constraint (23), raised by a trigger (P0): about some row, not the database
const isAboutData = (error: SqlError.SqlError) => /^(22|23|P0)/.test(pgField(error, "code"))

// a failing row's detail ("Failing row contains (<id>, …)") names the order it belongs to
const mentions = (error: SqlError.SqlError, id: string) =>
  pgField(error, "detail").includes(id) || pgField(error, "message").includes(id)

const halves = <C>(batch: ReadonlyArray<C>) => {
  const middle = Math.ceil(batch.length / 2)
  return [batch.slice(0, middle), batch.slice(middle)] as const
}

/**
 * Writes a batch with `write` and gives each command its own exit. When the batch fails because of some rows'
 * data, it is written again without them: rows that Postgres names are taken out at once (one retry for the
 * others), otherwise the batch is halved until the failing commands stand alone. A unique violation is first
 * retried as it is (another node inserted the same idempotency key: now it is found and replayed). A failure of
 * the database itself fails every command at once: retrying piecemeal would only multiply the load.
 */
export const writeIsolating =
  <C extends { readonly orderId: string }, R>(
    write: (batch: ReadonlyArray<C>) => Effect.Effect<ReadonlyArray<R>, SqlError.SqlError>
  ) =>
  (batch: ReadonlyArray<C>): Effect.Effect<ReadonlyArray<Exit.Exit<R>>> => {
    const attempt = (
      commands: ReadonlyArray<C>,
      uniqueRetried: boolean
    ): Effect.Effect<ReadonlyArray<Exit.Exit<R>>> =>
      Effect.suspend(() => write(commands)).pipe(
        Effect.map((results) => results.map((result) => Exit.succeed(result))),
        Effect.catch((error) => {
          if (isUniqueViolation(error) && !uniqueRetried) return attempt(commands, true)
          if (commands.length === 1 || !isAboutData(error)) {
            return Effect.succeed(commands.map(() => Exit.die(error)))
          }
          const named = commands.filter((command) => mentions(error, command.orderId))
          const [first, second] =
            named.length > 0 && named.length < commands.length
              ? [commands.filter((command) => !named.includes(command)), named]
              : halves(commands)
          return Effect.logWarning("intake batch failed, writing it again without the failing orders").pipe(
            Effect.annotateLogs({ size: commands.length, named: named.length, error: error.message }),
            Effect.andThen(Effect.all([attempt(first, false), attempt(second, false)])),
            Effect.map(([a, b]) => {
              const exits = new Map<C, Exit.Exit<R>>()
              first.forEach((command, i) => exits.set(command, a[i]!))
              second.forEach((command, i) => exits.set(command, b[i]!))
              return commands.map((command) => exits.get(command)!)
            })
          )
        })
      )
    return attempt(batch, false)
  }
