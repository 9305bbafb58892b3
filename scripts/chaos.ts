/**
 * `npm run chaos`: crash-safety of the outbox with real processes. One embedded Postgres and, per scenario, one
 * Znet wire simulator run here (so they survive any node kill); Tawsil nodes are child processes sharing that
 * Postgres. Scenarios: SIGKILL + restart, SIGTERM drain, two nodes at once, zombie (SIGSTOP/SIGCONT), Postgres
 * restart. One result line per scenario: orders, lost, duplicate placements, recovery seconds.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Duration, Effect } from "effect"
import { randomBytes } from "node:crypto"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { startEmbeddedPostgres } from "../src/db/EmbeddedPostgres.js"
import { twoNodes, zombie } from "./chaos/Cluster.js"
import { sigkill, sigterm } from "./chaos/Crash.js"
import type { Ctx } from "./chaos/Harness.js"
import { freePort } from "../src/testing/Loopback.js"
import { killNow, type TawsilNode } from "./chaos/Node.js"
import { postgresRestart } from "./chaos/PgRestart.js"
import { line, type Result } from "./chaos/Report.js"

const settings = {
  TAWSIL_POLL_INTERVAL: "2 seconds",
  TAWSIL_LEASE_TTL: "5 seconds",
  TAWSIL_HEARTBEAT_INTERVAL: "1 second",
  TAWSIL_SHUTDOWN_GRACE: "5 seconds",
  TAWSIL_LOG_LEVEL: "Info"
}
const graceMs = 5000
const ttlMs = 5000
const keepLogs = process.env.CHAOS_KEEP_LOGS === "1"
const only = process.argv.slice(2).map(Number)

const program = Effect.gen(function* () {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), "tawsil-chaos-"))
  chmodSync(dir, 0o755) // as root, the embedded Postgres runs as `postgres` and must reach its data directory
  const registry = new Set<TawsilNode>()
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const node of registry) killNow(node)
      if (keepLogs) console.log(`node logs kept in ${dir}`)
      else rmSync(dir, { recursive: true, force: true })
    })
  )
  const pgPort = yield* Effect.promise(freePort)
  const postgres = yield* startEmbeddedPostgres({
    dataDir: join(dir, "pg-main"),
    port: pgPort,
    ephemeral: true
  })
  const ctx: Ctx = {
    env: {
      repoRoot: fileURLToPath(new URL("..", import.meta.url)),
      dir,
      adminToken: `chaos-${randomBytes(12).toString("hex")}`,
      settings
    },
    registry,
    postgres,
    providers: 20
  }
  yield* Console.log(
    `settings: ${Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}; ${ctx.providers} Znet providers on one simulator (adapter spacing 200 ms each)`
  )
  const scenarios: ReadonlyArray<readonly [number, Effect.Effect<Result, unknown>]> = [
    [1, sigkill(ctx)],
    [2, sigterm(ctx, graceMs, ttlMs)],
    [3, twoNodes(ctx)],
    [4, zombie(ctx)],
    [5, postgresRestart(ctx, join(dir, "pg-restart"))]
  ]
  const results: Array<Result> = []
  for (const [n, scenario] of scenarios) {
    if (only.length > 0 && !only.includes(n)) continue
    const t0 = Date.now()
    const result = yield* scenario.pipe(
      Effect.timeoutOrElse({
        duration: "4 minutes",
        orElse: () => Effect.fail(new Error("scenario timed out"))
      }),
      Effect.catchCause((cause) =>
        Effect.succeed<Result>({
          scenario: `${n} (did not complete)`,
          orders: 0,
          lost: 0,
          duplicates: 0,
          recoverySeconds: undefined,
          pass: false,
          notes: [Cause.pretty(cause).split("\n").slice(0, 8).join("\n")]
        })
      )
    )
    results.push(result)
    yield* Console.log(`${line(result)}   (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
    for (const note of result.notes) yield* Console.log(`      ${note}`)
  }
  yield* Console.log("\nsummary")
  for (const result of results) yield* Console.log(line(result))
  yield* Console.log(`total ${Duration.format(Duration.millis(Date.now() - started))}`)
  if (results.some((r) => !r.pass)) process.exitCode = 1
})

NodeRuntime.runMain(Effect.scoped(program))
