import { Effect, Exit, Redacted, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startEmbeddedPostgres } from "../../src/db/EmbeddedPostgres.js"
import { freePort } from "../../src/testing/Loopback.js"

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string
  }
}

/** One real Postgres server for the whole test run; every suite creates its own database in it. */
export default async function setup(project: TestProject) {
  const scope = Effect.runSync(Scope.make())
  const dataDir = mkdtempSync(join(tmpdir(), "tawsil-test-"))
  const teardown = async () => {
    try {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  try {
    const port = await freePort()
    const pg = await Effect.runPromise(
      startEmbeddedPostgres({ dataDir, port, ephemeral: true }).pipe(Scope.provide(scope))
    )
    project.provide("pgUrl", Redacted.value(pg.url))
    // tawsil/testing's TestPostgres (test/kit) creates its databases on this server too
    process.env.TAWSIL_TEST_DATABASE_URL ??= Redacted.value(pg.url)
  } catch (error) {
    await teardown()
    throw error
  }
  return teardown
}
