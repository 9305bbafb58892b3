import { SqlError } from "@effect/sql"

/** Postgres SQLSTATEs that mean "no database right now": connection exceptions, shutdown, too many clients. */
const unavailableStates = /^(08...|57P0[1-5]|53300)$/

/** Socket-level failures of the driver while connecting or talking to the server. */
const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH"
])

const unavailableMessage =
  /connection terminated|connection error|timeout exceeded when trying to connect|not queryable|after calling end on the pool/i

const codeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

/**
 * Whether a failure means the database cannot be reached (the caller may retry shortly: 503), as opposed to a
 * statement the database refused (a bug: 500). A failure to acquire a connection always counts as unreachable.
 */
export const isDatabaseUnavailable = (error: unknown): boolean => {
  if (!(error instanceof SqlError.SqlError)) return false
  if (/^(failed to acquire connection|connection error)/i.test(error.message)) return true
  const code = codeOf(error.cause)
  if (code !== undefined && (unavailableStates.test(code) || unavailableCodes.has(code))) return true
  return error.cause instanceof Error && unavailableMessage.test(error.cause.message)
}
