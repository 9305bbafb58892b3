import { Cause, Effect } from "effect"
import { isDatabaseUnavailable } from "./DatabaseUnavailable.js"
import { InternalError, ServiceUnavailable } from "./HttpErrors.js"
import { currentRequestId } from "./RequestId.js"

/** The error itself or one it wraps (`cause`), a few levels deep. */
const causedByUnavailableDatabase = (error: unknown, depth = 0): boolean =>
  isDatabaseUnavailable(error) ||
  (depth < 3 &&
    typeof error === "object" &&
    error !== null &&
    "cause" in error &&
    causedByUnavailableDatabase(error.cause, depth + 1))

/** The defects and the failures a cause holds. */
const errorsOf = (cause: Cause.Cause<unknown>): ReadonlyArray<unknown> =>
  cause.reasons.flatMap((reason) =>
    Cause.isDieReason(reason) ? [reason.defect] : Cause.isFailReason(reason) ? [reason.error] : []
  )

/**
 * The tagged answer for a request that died: 503 when the database cannot be reached (retry shortly), else 500
 * with the request id, which finds the one ERROR log line holding the cause. The cause never reaches the caller.
 */
export const answerDefect = (
  cause: Cause.Cause<unknown>
): Effect.Effect<never, ServiceUnavailable | InternalError> =>
  Effect.gen(function* () {
    const requestId = yield* currentRequestId
    if (errorsOf(cause).some((error) => causedByUnavailableDatabase(error))) {
      yield* Effect.logWarning("database unreachable: answered 503", cause).pipe(
        Effect.annotateLogs({ requestId })
      )
      return yield* new ServiceUnavailable({ message: "the database is unreachable; retry shortly" })
    }
    yield* Effect.logError("request failed: answered 500", cause).pipe(Effect.annotateLogs({ requestId }))
    return yield* new InternalError({
      message: "internal error; the requestId identifies it in our logs",
      requestId
    })
  })
