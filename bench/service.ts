/**
 * The service under test: started as a child process (`node dist/main.js`, as `npm start` runs it) on a throw-away data
 * directory and free ports, driven through its admin API, and always stopped together with its embedded Postgres.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs"
import { isAlive } from "../src/db/EmbeddedPostgres.js"
import { freePort } from "../src/testing/Loopback.js"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

export interface Service {
  readonly origin: string
  readonly adminToken: string
  readonly dataDir: string
  readonly pgPort: number
  readonly child: ChildProcess
  /** The last lines the service printed (at most 40), for a failure report. */
  readonly output: () => string
  /** What the service printed after it became ready (at most the last 40 lines), and how many lines that was. */
  readonly outputSinceReady: () => { readonly lines: ReadonlyArray<string>; readonly count: number }
}

export const startService = async (
  repoRoot: string,
  options: {
    readonly nodeArgs: ReadonlyArray<string>
    readonly readyTimeoutMs: number
    /** Copy the service's output to stderr as it comes. */
    readonly echo: boolean
  }
): Promise<Service> => {
  const port = await freePort()
  let pgPort = await freePort()
  while (pgPort === port) pgPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), "tawsil-bench-"))
  const adminToken = `bench-admin-${randomBytes(16).toString("hex")}`
  const child = spawn(process.execPath, [...options.nodeArgs, "dist/main.js"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      TAWSIL_DATA_DIR: dataDir,
      TAWSIL_PG_PORT: String(pgPort),
      TAWSIL_ADMIN_TOKEN: adminToken,
      TAWSIL_DEMO: "false",
      // the load comes from a few accounts, far above the default per-account create limit
      TAWSIL_ACCOUNT_RATE: "0",
      // Effect's level names: All, Fatal, Error, Warning is spelled "Warn"
      TAWSIL_LOG_LEVEL: "Warn"
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  let printed = 0
  let printedAtReady = 0
  const keep = (chunk: Buffer) => {
    const fresh = chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim() !== "")
    if (options.echo) for (const line of fresh) process.stderr.write(`[service] ${line}\n`)
    printed += fresh.length
    lines.push(...fresh)
    lines.splice(0, Math.max(0, lines.length - 40))
  }
  child.stdout!.on("data", keep)
  child.stderr!.on("data", keep)
  // "close" comes after "exit", once the output has been read to its end
  const closed = new Promise((resolve) => child.once("close", resolve))
  const service: Service = {
    origin: `http://127.0.0.1:${port}`,
    adminToken,
    dataDir,
    pgPort,
    child,
    output: () => lines.join("\n"),
    outputSinceReady: () => {
      const count = printed - printedAtReady
      return { lines: lines.slice(Math.max(0, lines.length - count)), count }
    }
  }

  const deadline = Date.now() + options.readyTimeoutMs
  let problem = `did not answer GET /readyz with 200 within ${options.readyTimeoutMs} ms`
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      problem = `exited (${child.exitCode ?? child.signalCode}) before it was ready`
      break
    }
    const ready = await fetch(`${service.origin}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false
    )
    if (ready) {
      await sleep(200) // let the start-up banner arrive, so that it does not count as run-time output
      printedAtReady = printed
      return service
    }
    await sleep(250)
  }
  await stopService(service)
  await Promise.race([closed, sleep(2000)])
  throw new Error(`the service ${problem}; its output:\n${service.output()}`)
}

/** SIGTERM, SIGKILL after `graceMs`; then the embedded Postgres if it survived; then the data directory. */
export const stopService = async (service: Service, graceMs = 10_000) => {
  const { child } = service
  const exited = () => child.exitCode !== null || child.signalCode !== null
  if (!exited()) {
    const done = new Promise((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    if ((await Promise.race([done, sleep(graceMs, "timeout")])) === "timeout") {
      child.kill("SIGKILL")
      await done
    }
  }
  const pidFile = join(service.dataDir, "pg", "postmaster.pid")
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0])
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      process.kill(pid, "SIGQUIT") // immediate shutdown; the cluster is thrown away anyway
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100)
      if (isAlive(pid)) process.kill(pid, "SIGKILL")
    }
  }
  rmSync(service.dataDir, { recursive: true, force: true })
}

/** A call to the admin API (or, with `token`, to a reseller route); throws unless the status is as expected. */
export const call = async <A>(
  service: Service,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string; expect?: number } = {}
): Promise<A> => {
  const response = await fetch(`${service.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? service.adminToken}`,
      "content-type": "application/json"
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (response.status !== (options.expect ?? 200)) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
  }
  return JSON.parse(text) as A
}

/** Waits until no order is queued, being sent or awaiting a status check (or `maxMs` passed). */
export const waitForDispatch = async (service: Service, maxMs: number) => {
  const started = Date.now()
  const busy = async () => {
    for (const state of ["queued", "sending", "awaiting"]) {
      const page = await call<{ items: ReadonlyArray<unknown> }>(
        service,
        "GET",
        `/v1/admin/orders?state=${state}&limit=1`
      )
      if (page.items.length > 0) return true
    }
    return false
  }
  while (await busy()) {
    if (Date.now() - started > maxMs) return { ms: Date.now() - started, idle: false }
    await sleep(500)
  }
  return { ms: Date.now() - started, idle: true }
}

/** CPU time (ms) of a process, from /proc (Linux); 0 when unavailable. */
const cpuMs = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, at USER_HZ = 100
  } catch {
    return 0
  }
}

/** The embedded Postgres: the postmaster and its children. */
const postgresPids = (service: Service) => {
  try {
    const postmaster = Number(
      readFileSync(join(service.dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]
    )
    const children = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster
        } catch {
          return false
        }
      })
    return [postmaster, ...children]
  } catch {
    return []
  }
}

export interface CpuUse {
  /** Percent of one core over the interval. */
  readonly service: number
  readonly postgres: number
  readonly driver: number
}

/**
 * Starts measuring CPU; the returned function ends the interval. Postgres backends live as long as their pool
 * connection, so the set is taken at the start and the end (a backend that came and went in between is missed).
 */
export const cpuMeter = (service: Service) => {
  const started = performance.now()
  const driver0 = process.cpuUsage()
  const service0 = cpuMs(service.child.pid!)
  const pg0 = new Map(postgresPids(service).map((pid) => [pid, cpuMs(pid)]))
  return (): CpuUse => {
    const elapsed = performance.now() - started
    const driver = process.cpuUsage(driver0)
    const pg = postgresPids(service).reduce((sum, pid) => sum + cpuMs(pid) - (pg0.get(pid) ?? 0), 0)
    const percent = (ms: number) => (100 * ms) / elapsed
    return {
      service: percent(cpuMs(service.child.pid!) - service0),
      postgres: percent(pg),
      driver: percent((driver.user + driver.system) / 1000)
    }
  }
}
