import { Effect, type Scope } from "effect"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { Agent, createServer, request } from "node:http"
import type { Socket } from "node:net"

/** One provider call as the proxy saw it: which node made it (by the owner of the client socket), and the answer. */
export interface Call {
  readonly node: string
  readonly endpoint: "place" | "check" | "other"
  readonly reference: string
  readonly atMillis: number
  answer: string
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, "0")

/** The inode of the loopback TCP socket `127.0.0.1:local → 127.0.0.1:remote`, from /proc/net/tcp. */
const socketInode = (local: number, remote: number) => {
  const wanted = `0100007F:${hexPort(local)} 0100007F:${hexPort(remote)}`
  const line = readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .find((l) => l.includes(wanted))
  return line?.trim().split(/\s+/)[9]
}

const ownsSocket = (pid: number, inode: string) => {
  try {
    const dir = `/proc/${pid}/fd`
    return readdirSync(dir).some((fd) => {
      try {
        return readlinkSync(`${dir}/${fd}`) === `socket:[${inode}]`
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}

/**
 * An HTTP proxy in front of the wire simulator. The simulator cannot tell which node called it; the proxy can,
 * by finding which of the known node processes owns the client end of each connection (Linux /proc).
 */
export const startProxy = (
  target: number,
  nodes: () => ReadonlyArray<{ readonly name: string; readonly pid: number }>
): Effect.Effect<{ readonly url: string; readonly calls: Array<Call> }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const calls: Array<Call> = []
    const owners = new WeakMap<Socket, string>()
    const agent = new Agent({ keepAlive: true, maxSockets: 256 })
    let port = 0
    const ownerOf = (socket: Socket) => {
      const known = owners.get(socket)
      if (known !== undefined) return known
      const inode = socketInode(socket.remotePort ?? 0, port)
      const owner =
        (inode !== undefined ? nodes().find((n) => ownsSocket(n.pid, inode))?.name : undefined) ?? "?"
      owners.set(socket, owner)
      return owner
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
      const call: Call = { node: ownerOf(req.socket), endpoint, reference, atMillis: Date.now(), answer: "" }
      calls.push(call)
      const upstream = request(
        { host: "127.0.0.1", port: target, path: req.url, method: req.method, agent },
        (answer) => {
          const chunks: Array<Buffer> = []
          answer.on("data", (c: Buffer) => chunks.push(c))
          answer.on("end", () => {
            const body = Buffer.concat(chunks)
            call.answer = body.toString().slice(0, 40)
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            res.end(body)
          })
        }
      )
      upstream.on("error", () => res.destroy())
      res.on("error", () => {})
      req.pipe(upstream)
    })
    const sockets = new Set<Socket>()
    server.on("connection", (s) => {
      sockets.add(s)
      s.on("close", () => sockets.delete(s))
    })
    port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const s of sockets) s.destroy()
          agent.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${port}`, calls }
  })
