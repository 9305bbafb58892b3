import { Tracer } from "effect"

/** The I/O calls (SQL statements, HTTP requests) under way right now, and how many ever started. */
export interface IoCount {
  open: number
  started: number
}

/**
 * A tracer that counts I/O in flight: every SQL statement and HTTP client request runs in a span of kind
 * `client`, open from before the connection is taken until the answer is back. Everything else goes to `inner`
 * (the host's tracer, or Effect's own), span for span.
 *
 * The test kit needs it because a fiber waiting for the database may at the same time hold a timer on the clock
 * (a check runs under its timeout): seen from the clock alone, such a fiber looks asleep.
 */
export const countingIo = (inner: Tracer.Tracer, count: IoCount): Tracer.Tracer =>
  Tracer.make({
    span(options) {
      const span = inner.span(options)
      if (options.kind !== "client") return span
      count.open++
      count.started++
      const end = span.end.bind(span)
      let ended = false
      span.end = (endTime, exit) => {
        if (!ended) {
          ended = true
          count.open--
        }
        end(endTime, exit)
      }
      return span
    },
    context: inner.context
  })
