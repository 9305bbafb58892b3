import { Effect, type Scope } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { listenOnLoopback } from "../../src/testing/Loopback.js"

/** One request as a wire simulator saw it; secret query parameters are left out. */
export interface WireRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly atMillis: number
}

export interface WireReply {
  readonly status: number
  readonly body: string
  readonly contentType?: string
}

/**
 * A fault for the next calls. Transport faults: `empty` (HTTP 200, no body), `html`, `garbage` (a PHP warning),
 * `5xx`, `429`, `hang` (never answer), `drop` (close the connection after reading the request),
 * `dropAfterAccept` / `hangAfterAccept` (take the order, then drop or never answer). Protocol faults, answered in
 * the provider's own words: `insufficientBalance`, `productNotFound`, `maintenance`. Or an exact reply.
 */
export type WireFault =
  | "empty"
  | "html"
  | "garbage"
  | "5xx"
  | "429"
  | "hang"
  | "drop"
  | "dropAfterAccept"
  | "hangAfterAccept"
  | "insufficientBalance"
  | "productNotFound"
  | "maintenance"
  | { readonly reply: WireReply }

export type ProtocolFault = "insufficientBalance" | "productNotFound" | "maintenance"

export type Endpoint = "place" | "check" | "balance" | "other"

export interface Incoming {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage["headers"]
}

export interface WireServerOptions {
  readonly port?: number | undefined
  readonly secretParams: ReadonlyArray<string>
  readonly endpointOf: (path: string) => Endpoint
  readonly latencyMs: () => number
  /** Answers a request; a protocol fault, if one is due, is passed in for the provider to word. */
  readonly handle: (incoming: Incoming, fault: ProtocolFault | undefined) => WireReply
}

export interface WireServer {
  readonly baseUrl: string
  readonly port: number
  /** Every request so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<WireRequest>>
  /** The next `times` calls (of one endpoint, or any) answer with `fault`. */
  readonly inject: (fault: WireFault, options?: { times?: number; on?: Endpoint }) => Effect.Effect<void>
}

const transportReplies: Readonly<Record<"empty" | "html" | "garbage" | "5xx" | "429", WireReply>> = {
  empty: { status: 200, body: "" },
  html: {
    status: 200,
    body: "<!DOCTYPE html><html><body><h1>Hoş geldiniz</h1></body></html>",
    contentType: "text/html"
  },
  garbage: { status: 200, body: "Warning: mysqli_connect(): Too many connections in /var/www/servis/db.php" },
  "5xx": { status: 502, body: "Bad Gateway" },
  "429": { status: 429, body: "Too Many Requests" }
}

const isProtocolFault = (fault: WireFault): fault is ProtocolFault =>
  fault === "insufficientBalance" || fault === "productNotFound" || fault === "maintenance"

/** A real HTTP server on 127.0.0.1 (a random port unless given) that a wire simulator answers from. */
export const startWireServer = (options: WireServerOptions): Effect.Effect<WireServer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const requests: Array<WireRequest> = []
    const faults: Array<{ fault: WireFault; left: number; on: Endpoint | undefined }> = []

    const nextFault = (endpoint: Endpoint) => {
      const due = faults.find((f) => f.on === undefined || f.on === endpoint)
      if (due === undefined) return undefined
      due.left -= 1
      if (due.left <= 0) faults.splice(faults.indexOf(due), 1)
      return due.fault
    }

    const send = (response: ServerResponse, reply: WireReply) => {
      response.writeHead(reply.status, { "content-type": reply.contentType ?? "text/plain; charset=utf-8" })
      response.end(reply.body)
    }

    const answer = (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      const query = Object.fromEntries(
        [...url.searchParams].filter(([name]) => !options.secretParams.includes(name))
      )
      requests.push({ method: request.method ?? "GET", path: url.pathname, query, atMillis: Date.now() })
      const fault = nextFault(options.endpointOf(url.pathname))
      const incoming = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers
      }
      if (fault === "hang") return
      if (fault === "drop") return request.socket.destroy()
      const reply =
        fault === undefined || fault === "dropAfterAccept" || fault === "hangAfterAccept"
          ? options.handle(incoming, undefined)
          : isProtocolFault(fault)
            ? options.handle(incoming, fault)
            : typeof fault === "object"
              ? fault.reply
              : transportReplies[fault]
      if (fault === "hangAfterAccept") return
      if (fault === "dropAfterAccept") return request.socket.destroy()
      const latency = options.latencyMs()
      if (latency > 0) setTimeout(() => send(response, reply), latency)
      else send(response, reply)
    }

    const server = createServer((request, response) => {
      // answer once the whole request has been read, as a PHP or Laravel backend would
      request.resume()
      request.on("end", () => answer(request, response))
    })
    const port = yield* listenOnLoopback(server, options.port ?? 0)

    return {
      baseUrl: `http://127.0.0.1:${port}`,
      port,
      requests: Effect.sync(() => [...requests]),
      inject: (fault, { times = 1, on } = {}) =>
        Effect.sync(() => void faults.push({ fault, left: times, on }))
    }
  })
