import { Effect, type Scope } from "effect"
import { Agent, createServer, request } from "node:http"
import { listenOnLoopback } from "../../src/testing/Loopback.js"

/** One provider call as the proxy saw it: which node made it, when, and the answer. */
export interface Call {
  /** the calling node's name, from the pid in the request's User-Agent; "?" when it names no node */
  readonly node: string
  readonly endpoint: "place" | "check" | "other"
  readonly reference: string
  readonly atMillis: number
  answer: string
  /** when the simulator's answer reached the proxy (0 while there is none) */
  answeredAtMillis: number
  /** the caller hung up before the answer reached it (it gave up on the call: a timeout, an interruption) */
  abandoned: boolean
}

/**
 * An HTTP proxy in front of the wire simulator that records every call and which node made it (the pid that
 * Tawsil's provider client puts in its User-Agent).
 */
export const startProxy = (
  target: number,
  nodes: () => ReadonlyArray<{ readonly name: string; readonly pid: number }>
): Effect.Effect<{ readonly url: string; readonly calls: Array<Call> }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const calls: Array<Call> = []
    const agent = new Agent({ keepAlive: true, maxSockets: 256 })
    // Tawsil's provider client names its process in the User-Agent: `tawsil (<host>; pid <pid>)`
    const callerOf = (userAgent: string | undefined) => {
      const pid = Number(/pid (\d+)/.exec(userAgent ?? "")?.[1])
      return nodes().find((n) => n.pid === pid)?.name ?? "?"
    }
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const endpoint = url.pathname.endsWith("/pin_ekle.php")
        ? "place"
        : url.pathname.endsWith("/pin_kontrol.php")
          ? "check"
          : "other"
      const reference =
        url.searchParams.get("referans") ?? url.searchParams.get("tahsilat_api_islem_id") ?? ""
      const call: Call = {
        node: callerOf(req.headers["user-agent"]),
        endpoint,
        reference,
        atMillis: Date.now(),
        answer: "",
        answeredAtMillis: 0,
        abandoned: false
      }
      calls.push(call)
      const upstream = request(
        { host: "127.0.0.1", port: target, path: req.url, method: req.method, agent },
        (answer) => {
          const chunks: Array<Buffer> = []
          answer.on("data", (c: Buffer) => chunks.push(c))
          answer.on("end", () => {
            const body = Buffer.concat(chunks)
            call.answer = body.toString().slice(0, 40)
            call.answeredAtMillis = Date.now()
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            res.end(body)
          })
        }
      )
      upstream.on("error", () => res.destroy())
      res.on("error", () => {})
      res.on("close", () => {
        if (!res.writableFinished) call.abandoned = true
      })
      req.pipe(upstream)
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
    const port = yield* listenOnLoopback(server)
    return { url: `http://127.0.0.1:${port}`, calls }
  })
