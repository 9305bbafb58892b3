import { SqlError } from "effect/sql"

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
  /connection terminated|connection error|not currently accepting connections|timeout exceeded when trying to connect|not queryable|after calling end on the pool/i

const codeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

/**
 * Whether a failure means the database cannot be reached (the caller may retry shortly: 503), as opposed to a
 * statement the database refused (a bug: 500). A failure to acquire a connection always counts as unreachable,
 * and so does every `ConnectionError` reason (the driver's connect, socket and SQLSTATE 08 failures).
 */
export const isDatabaseUnavailable = (error: unknown): boolean => {
  if (!SqlError.isSqlError(error)) return false
  const reason = error.reason
  if (reason._tag === "ConnectionError") return true
  // the driver's own words: "PgConnection: Failed to connect", pool acquisition failures
  if (
    /^(PgConnection: )?(failed to acquire connection|failed to connect|connection error)/i.test(error.message)
  ) {
    return true
  }
  // the driver's cause, or the server's error (SQLSTATE in `code`) it wraps
  for (let cause: unknown = reason.cause, depth = 0; cause !== undefined && depth < 3; depth++) {
    const code = codeOf(cause)
    if (code !== undefined && (unavailableStates.test(code) || unavailableCodes.has(code))) return true
    if (cause instanceof Error && unavailableMessage.test(cause.message)) return true
    cause = typeof cause === "object" && cause !== null && "cause" in cause ? cause.cause : undefined
  }
  return false
}
