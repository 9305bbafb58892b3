/**
 * `tawsil/testing/globalSetup`: one embedded Postgres for a whole vitest run, shared by every test file. Name it in
 * the host's vitest config (`test.globalSetup: ["tawsil/testing/globalSetup"]`), or re-export it from the host's
 * own global setup file: `export { setup, teardown } from "tawsil/testing/globalSetup"`.
 *
 * `setup` starts the server and puts its URL in `TAWSIL_TEST_DATABASE_URL` (`testDatabaseUrlVariable`), which the
 * test workers inherit: `TestPostgres` (and so `TawsilTest.layer()`) then creates a fresh database on it for each
 * test (milliseconds) instead of starting a server per test (seconds). When the variable is already set (a CI
 * Postgres), nothing is started and that server is used.
 */
import { Effect, Exit, Redacted, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startEmbeddedPostgres } from "../db/EmbeddedPostgres.js"
import { freePort } from "./Loopback.js"
import { testDatabaseUrlVariable } from "./TestPostgres.js"

let running: { readonly scope: Scope.Closeable; readonly dataDir: string } | undefined

/** Starts the shared server, unless `TAWSIL_TEST_DATABASE_URL` is set already. */
export async function setup(): Promise<void> {
  const configured = process.env[testDatabaseUrlVariable]
  if (configured !== undefined && configured !== "") return
  const scope = Effect.runSync(Scope.make())
  const dataDir = mkdtempSync(join(tmpdir(), "tawsil-testing-shared-"))
  running = { scope, dataDir }
  try {
    const pg = await Effect.runPromise(
      Effect.flatMap(Effect.promise(freePort), (port) =>
        startEmbeddedPostgres({ dataDir, port, ephemeral: true })
      ).pipe(Scope.provide(scope))
    )
    process.env[testDatabaseUrlVariable] = Redacted.value(pg.url)
  } catch (error) {
    await teardown()
    throw error
  }
}

/** Stops the server `setup` started (if any) and deletes its data. */
export async function teardown(): Promise<void> {
  const started = running
  if (started === undefined) return
  running = undefined
  delete process.env[testDatabaseUrlVariable]
  try {
    await Effect.runPromise(Scope.close(started.scope, Exit.void))
  } finally {
    rmSync(started.dataDir, { recursive: true, force: true })
  }
}
