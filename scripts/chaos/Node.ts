import { Effect, type Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"
import { freePort } from "../../src/testing/Loopback.js"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

/** One Tawsil process (`node --import tsx src/main.ts`), its output in `<dir>/<name>.log`. */
export interface TawsilNode {
  readonly name: string
  readonly pid: number
  readonly origin: string
  readonly child: ChildProcess
  readonly exited: Promise<{ readonly code: number | null; readonly signal: string | null }>
  readonly log: () => string
}

export interface NodeEnv {
  readonly repoRoot: string
  readonly dir: string
  readonly adminToken: string
  readonly settings: Readonly<Record<string, string>>
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

/** Starts a node against `databaseUrl` and waits for GET /readyz; the scope SIGKILLs it if it is still running. */
export const startNode = (
  env: NodeEnv,
  name: string,
  databaseUrl: string,
  registry: Set<TawsilNode>
): Effect.Effect<TawsilNode, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const port = await freePort()
        const logFile = join(env.dir, `${name}.log`)
        const fd = openSync(logFile, "a")
        const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          cwd: env.repoRoot,
          env: {
            ...process.env,
            ...env.settings,
            PORT: String(port),
            DATABASE_URL: databaseUrl,
            TAWSIL_ADMIN_TOKEN: env.adminToken,
            TAWSIL_DEMO: "false",
            // the load comes from a few accounts, far above the default per-account create limit
            TAWSIL_ACCOUNT_RATE: "0",
            // a chaos node is one process: its SIGKILL takes the whole node down at once
            TAWSIL_PROCESSES: "1",
            TAWSIL_DATA_DIR: join(env.dir, `data-${name}`)
          },
          stdio: ["ignore", fd, fd]
        })
        closeSync(fd)
        const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
          child.once("exit", (code, signal) => resolve({ code, signal }))
        )
        const node: TawsilNode = {
          name,
          pid: child.pid ?? 0,
          origin: `http://127.0.0.1:${port}`,
          child,
          exited,
          log: () => readFileSync(logFile, "utf8")
        }
        registry.add(node)
        const deadline = Date.now() + 60_000
        while (Date.now() < deadline && isRunning(child)) {
          const ready = await fetch(`${node.origin}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
            (r) => r.status === 200,
            () => false
          )
          if (ready) return node
          await sleep(200)
        }
        killNow(node)
        throw new Error(`node ${name} did not become ready; its output:\n${node.log().slice(-3000)}`)
      },
      catch: (e) => (e instanceof Error ? e : new Error(`node ${name} did not start`, { cause: e }))
    }),
    (node) => Effect.sync(() => killNow(node))
  )

export const killNow = (node: TawsilNode) => {
  if (isRunning(node.child)) node.child.kill("SIGKILL")
}

export const signal = (node: TawsilNode, sig: NodeJS.Signals) => Effect.sync(() => node.child.kill(sig))

/** Waits for the process to exit, at most `ms`; `undefined` when it is still running. */
export const waitExit = (node: TawsilNode, ms: number) =>
  Effect.promise(() => Promise.race([node.exited, sleep(ms).then(() => undefined)]))

export const countLines = (node: TawsilNode, pattern: RegExp) =>
  node
    .log()
    .split("\n")
    .filter((l) => pattern.test(l)).length
