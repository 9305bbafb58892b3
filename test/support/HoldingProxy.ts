import { Effect, type Scope } from "effect"
import { createServer, type IncomingMessage, request as forwardRequest, type ServerResponse } from "node:http"
import { listenOnLoopback } from "../../src/testing/Loopback.js"

export interface HoldingProxy {
  readonly baseUrl: string
  /** Requests held back so far (not yet let through). */
  readonly held: Effect.Effect<number>
  /** Requests received so far. */
  readonly received: Effect.Effect<number>
  /** Requests received and not yet answered (held or forwarded). */
  readonly inFlight: Effect.Effect<number>
  /** The most requests ever in flight at once: what a concurrency limit must keep low. */
  readonly maxInFlight: Effect.Effect<number>
  /** Forwards the oldest held request (none held: nothing). */
  readonly releaseOne: Effect.Effect<void>
  /** Forwards every held request and stops holding. */
  readonly release: Effect.Effect<void>
}

/**
 * A plain HTTP proxy to `target` that holds back the requests whose path `hold` selects (all, by default) until the
 * test lets them through, and counts the requests in flight at the provider. A test can let many rate-limited sends
 * reach the provider at once, so their answers land on one TestClock instant, or check a concurrency limit.
 */
export const startHoldingProxy = (
  target: string,
  hold: (path: string) => boolean = () => true
): Effect.Effect<HoldingProxy, never, Scope.Scope> =>
  Effect.gen(function* () {
    const held: Array<() => void> = []
    let holding = true
    let received = 0
    let inFlight = 0
    let maxInFlight = 0

    const forward = (request: IncomingMessage, body: Buffer, response: ServerResponse) => () => {
      const upstream = forwardRequest(
        new URL(request.url ?? "/", target),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on("error", () => response.destroy())
      upstream.end(body)
    }

    const server = createServer((request, response) => {
      received += 1
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      // answered once its last byte is handed to the socket (`finish`), or dropped (`close` alone)
      let answered = false
      const done = () => {
        if (answered) return
        answered = true
        inFlight -= 1
      }
      response.on("finish", done)
      response.on("close", done)
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const send = forward(request, Buffer.concat(chunks), response)
        if (holding && hold(new URL(request.url ?? "/", target).pathname)) held.push(send)
        else send()
      })
    })
    const port = yield* listenOnLoopback(server)

    return {
      baseUrl: `http://127.0.0.1:${port}`,
      held: Effect.sync(() => held.length),
      received: Effect.sync(() => received),
      inFlight: Effect.sync(() => inFlight),
      maxInFlight: Effect.sync(() => maxInFlight),
      releaseOne: Effect.sync(() => held.shift()?.()),
      release: Effect.sync(() => {
        holding = false
        for (const send of held.splice(0)) send()
      })
    }
  })
