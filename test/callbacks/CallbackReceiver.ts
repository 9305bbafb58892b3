import { Effect } from "effect"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

/** How the receiver answers one callback: 200, 500, never (the connection stays open), or a dropped connection. */
export type Behaviour = "ok" | "fail" | "hang" | "drop"

export interface ReceivedCallback {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly behaviour: Behaviour
}

/**
 * A real HTTP server on a loopback port that answers callbacks by `script` (then "ok" once the script is spent,
 * or `otherwise`), and records each; closed with the scope.
 */
export const callbackReceiver = (script: Array<Behaviour>, otherwise: Behaviour = "ok") =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{
          readonly url: string
          readonly received: Array<ReceivedCallback>
          readonly script: Array<Behaviour>
          readonly setOtherwise: (behaviour: Behaviour) => void
          readonly close: () => Promise<void>
        }>((resolve) => {
          const received: Array<ReceivedCallback> = []
          let fallback = otherwise
          const server = createServer((request, response) => {
            const chunks: Array<Buffer> = []
            request.on("data", (chunk: Buffer) => chunks.push(chunk))
            request.on("end", () => {
              const behaviour = script.shift() ?? fallback
              received.push({
                headers: request.headers,
                body: Buffer.concat(chunks).toString("utf8"),
                behaviour
              })
              switch (behaviour) {
                case "ok":
                  return void response.writeHead(200).end("thanks")
                case "fail":
                  return void response.writeHead(500).end(`oops ${"x".repeat(1000)}`)
                case "drop":
                  return void request.socket.destroy()
                case "hang":
                  return
              }
            })
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            resolve({
              url: `http://127.0.0.1:${port}/hooks/tawsil`,
              received,
              script,
              setOtherwise: (behaviour) => {
                fallback = behaviour
              },
              close: () =>
                new Promise<void>((done) => {
                  server.closeAllConnections()
                  server.close(() => done())
                })
            })
          })
        })
    ),
    (receiver) => Effect.promise(() => receiver.close())
  )
