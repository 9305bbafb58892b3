import { Effect, type Scope } from "effect"
import { createServer, type IncomingMessage, request as forwardRequest, type ServerResponse } from "node:http"
import { listenOnLoopback } from "../../src/testing/Loopback.js"

export interface HoldingProxy {
  readonly baseUrl: string
  /** Requests held back so far. */
  readonly held: Effect.Effect<number>
  /** Forwards every held request and stops holding. */
  readonly release: Effect.Effect<void>
}

/**
 * A plain HTTP proxy to `target` that holds back the requests whose path `hold` selects until `release`: a test
 * can let many rate-limited sends reach the provider at once, so their answers land on one TestClock instant.
 */
export const startHoldingProxy = (
  target: string,
  hold: (path: string) => boolean
): Effect.Effect<HoldingProxy, never, Scope.Scope> =>
  Effect.gen(function* () {
    const held: Array<() => void> = []
    let holding = true

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
      release: Effect.sync(() => {
        holding = false
        for (const send of held.splice(0)) send()
      })
    }
  })
