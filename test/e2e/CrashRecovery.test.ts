import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { inject } from "vitest"
import type { RunningPostgres } from "../../src/db/EmbeddedPostgres.js"
import { sigkill } from "../../scripts/chaos/Crash.js"
import type { Ctx } from "../../scripts/chaos/Harness.js"
import { killNow, type TawsilNode } from "../../scripts/chaos/Node.js"

/** The test run's Postgres server, able to create a database per scenario (as `npm run chaos` does with its own). */
const testServer = (): RunningPostgres => {
  const serverUrl = inject("pgUrl")
  return {
    url: Redacted.make(serverUrl),
    createDatabase: (name) =>
      Effect.gen(function* () {
        const database = `${name}_${randomBytes(4).toString("hex")}`
        const admin = yield* SqlClient.SqlClient
        yield* admin.unsafe(`create database ${database}`)
        const url = new URL(serverUrl)
        url.pathname = `/${database}`
        return Redacted.make(url.toString())
      }).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 })),
        Effect.orDie
      )
  }
}

/** Real processes, a real SIGKILL: the chaos script's first scenario at CI size (3 waves of 20 orders). */
describe("crash recovery with real processes", () => {
  it.live(
    "SIGKILL a node mid-dispatch, start another: every order terminal, none lost, no reference placed twice, resumed within 15 s",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "tawsil-crash-"))
        chmodSync(dir, 0o755)
        const registry = new Set<TawsilNode>()
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            for (const node of registry) killNow(node)
            rmSync(dir, { recursive: true, force: true })
          })
        )
        const ctx: Ctx = {
          env: {
            repoRoot: fileURLToPath(new URL("../..", import.meta.url)),
            dir,
            adminToken: `crash-${randomBytes(12).toString("hex")}`,
            settings: {
              TAWSIL_POLL_INTERVAL: "2 seconds",
              TAWSIL_LEASE_TTL: "5 seconds",
              TAWSIL_HEARTBEAT_INTERVAL: "1 second",
              // the simulator answers in 1 s: a request left by the killed node cannot be in transit for long
              TAWSIL_RESEND_QUIET_PERIOD: "10 seconds",
              TAWSIL_LOG_LEVEL: "Info"
            }
          },
          registry,
          postgres: testServer(),
          providers: 4
        }
        const result = yield* sigkill(ctx, 20)
        const report = [result.scenario, ...result.notes].join("\n")
        assert.strictEqual(result.orders, 60, report)
        assert.strictEqual(result.lost, 0, report)
        assert.strictEqual(result.duplicates, 0, report)
        assert.isDefined(result.recoverySeconds, report)
        assert.isAtMost(result.recoverySeconds!, 15, report)
        assert.isTrue(result.pass, report)
      }).pipe(Effect.scoped),
    180_000
  )
})
