import { Effect, type Scope } from "effect"
import type { Server } from "node:http"
import { createServer } from "node:net"

/** A TCP port on 127.0.0.1 that was free a moment ago: for servers started by tests, benchmarks and scripts. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

/**
 * Serves `server` on 127.0.0.1 (on `port`, or a free one) for the scope, and gives the port. Closing the scope
 * drops every connection at once, requests still held included, and waits for the server to close.
 */
export const listenOnLoopback = (server: Server, port = 0): Effect.Effect<number, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(port, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    }),
    () =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
