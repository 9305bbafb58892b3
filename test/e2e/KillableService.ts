import { Duration, Effect, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../../src/testing/Loopback.js"
import * as ZnetSimulator from "../support/ZnetSimulator.js"
import { isAlive, spawnScoped } from "../support/Process.js"

export interface Answer {
  readonly status: number
  readonly text: string
}

export const call = (
  url: string,
  init: { method?: string; token?: string; body?: unknown; key?: string } = {}
) =>
  Effect.promise(async (): Promise<Answer> => {
    try {
      const response = await fetch(url, {
        method: init.method ?? "GET",
        headers: {
          ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...(init.key === undefined ? {} : { "idempotency-key": init.key })
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(15_000)
      })
      return { status: response.status, text: await response.text() }
    } catch (error) {
      return { status: 0, text: String(error) }
    }
  })

export const json = (answer: Answer): Record<string, unknown> =>
  JSON.parse(answer.text) as Record<string, unknown>

export const cents = (amount: string) => {
  const [whole = "0", fraction = ""] = amount.replace("-", "").split(".")
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0").slice(0, 2))
  return amount.startsWith("-") ? -value : value
}

/** The postmaster's pid, from `postmaster.pid` in the embedded cluster's data directory. */
export const postmasterPid = (dataDir: string) => {
  const file = join(dataDir, "pg", "postmaster.pid")
  return existsSync(file) ? Number(readFileSync(file, "utf8").split("\n")[0]) : undefined
}

export const graceSeconds = 2
export const packageNumbers = [0, 1, 2, 3]

/** Polls `/readyz` until 200 (at most `timeout`); dies at once, with the output, if the service exits. */
export const awaitReady = (
  base: string,
  isRunning: () => boolean,
  context: () => string,
  timeout: Duration.Input
) =>
  Effect.gen(function* () {
    if (!isRunning()) return yield* Effect.die(new Error(`the service exited${context()}`))
    const answer = yield* call(`${base}/readyz`)
    if (answer.status !== 200) return yield* Effect.fail(answer)
  }).pipe(
    Effect.retry(Schedule.spaced("100 millis")),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new Error(
            `/readyz did not answer 200 within ${Duration.format(Duration.fromInputUnsafe(timeout))}${context()}`
          )
        )
    }),
    Effect.orDie
  )

/**
 * Tawsil as `npm start` runs it (embedded Postgres in a fresh data directory), a Znet wire simulator as its only
 * provider, one funded reseller, `extraEnv` on top of the test settings; the scope stops the service (and anything left of its Postgres) and removes the
 * directory.
 */
export const startServiceWith = (extraEnv: Readonly<Record<string, string>>) =>
  Effect.gen(function* () {
    const dataDir = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const dir = mkdtempSync(join(tmpdir(), "tawsil-dbkill-"))
        chmodSync(dir, 0o755)
        return dir
      }),
      (dir) =>
        Effect.sync(() => {
          const pid = postmasterPid(dir)
          if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL")
          rmSync(dir, { recursive: true, force: true })
        })
    )
    const sim = yield* ZnetSimulator.start({
      balance: 1e9,
      latencyMs: 200,
      pollsBeforeFinal: 1,
      outcome: "mixed"
    })
    const port = yield* Effect.promise(freePort)
    const pgPort = yield* Effect.promise(freePort)
    const adminToken = `dbkill-${randomBytes(12).toString("hex")}`
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key !== "DATABASE_URL" && !key.startsWith("TAWSIL_"))
    )
    const service = yield* spawnScoped(join(process.cwd(), "node_modules", ".bin", "tsx"), ["src/main.ts"], {
      cwd: process.cwd(),
      env: {
        ...inherited,
        PORT: String(port),
        TAWSIL_DATA_DIR: dataDir,
        TAWSIL_PG_PORT: String(pgPort),
        TAWSIL_ADMIN_TOKEN: adminToken,
        TAWSIL_DEMO: "false",
        TAWSIL_LOG_FORMAT: "json",
        TAWSIL_POLL_INTERVAL: "1 second",
        TAWSIL_SHUTDOWN_GRACE: `${graceSeconds} seconds`,
        TAWSIL_RESEND_QUIET_PERIOD: "3 seconds",
        ...extraEnv
      }
    })
    const base = `http://127.0.0.1:${port}`
    const context = () => `\n--- service output (last 6000 chars) ---\n${service.output().slice(-6000)}`
    yield* awaitReady(base, service.isRunning, context, "60 seconds")
    const admin = (method: string, path: string, body?: unknown) =>
      call(`${base}${path}`, { method, token: adminToken, body }).pipe(
        Effect.filterOrElse(
          (answer) => answer.status < 300,
          () => Effect.die(new Error(`${method} ${path} failed${context()}`))
        ),
        Effect.map(json)
      )
    // the Znet adapter spaces the calls to one provider 200 ms apart: four providers (one simulator) move orders faster
    for (const i of packageNumbers) {
      yield* admin("PUT", `/v1/admin/providers/z${i}`, {
        kind: "znet",
        name: `Znet ${i}`,
        enabled: true,
        baseUrl: sim.baseUrl,
        credentials: { kod: sim.kod, sifre: sim.sifre }
      })
      yield* admin("PUT", `/v1/admin/packages/p${i}`, {
        name: `PUBG 325 via z${i}`,
        price: "1.00",
        currency: "USD",
        enabled: true,
        route: { mode: "auto", primary: `z${i}` },
        mappings: { [`z${i}`]: { sku: "2", meta: { oyun: "1", kupur: "325" } } }
      })
    }
    const created = yield* admin("POST", "/v1/admin/accounts", { name: "Kill test", currency: "USD" })
    const accountId = (created.account as { id: string }).id
    yield* admin("POST", `/v1/admin/accounts/${accountId}/credit`, { amount: "1000.00" })
    return { dataDir, sim, service, base, admin, accountId, apiKey: created.apiKey as string, context }
  })

/** The service with its default settings (one process per core). */
export const startService = startServiceWith({})

export interface OrderView {
  readonly id: string
  readonly status: string
  readonly price: { readonly amount: string }
  readonly dispatch: { readonly state: string; readonly reference?: string }
}

/** Every page of a `{ items, nextCursor? }` list. */
export const allPages = <A>(
  fetchPage: (cursor: string | undefined) => Effect.Effect<Record<string, unknown>>
) =>
  Effect.gen(function* () {
    const items: Array<A> = []
    let cursor: string | undefined
    do {
      const page = yield* fetchPage(cursor)
      items.push(...(page.items as Array<A>))
      cursor = page.nextCursor as string | undefined
    } while (cursor !== undefined)
    return items
  })

/** Waits (real time) until `/readyz` has answered 503 at least once; the statuses seen meanwhile. */
export const awaitOutage = (base: string, context: () => string) =>
  Effect.gen(function* () {
    const seen: Array<number> = []
    yield* call(`${base}/readyz`).pipe(
      Effect.tap((answer) => Effect.sync(() => seen.push(answer.status))),
      Effect.repeat({ schedule: Schedule.spaced("25 millis"), until: (answer) => answer.status === 503 }),
      Effect.timeoutOrElse({
        duration: "10 seconds",
        orElse: () =>
          Effect.fail(
            new Error(`/readyz never answered 503 after the kill (saw ${seen.join(",")})${context()}`)
          )
      }),
      Effect.orDie
    )
    return seen
  })
