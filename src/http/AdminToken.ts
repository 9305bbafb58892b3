import { Context, Effect, Layer, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { readSecret, writeSecret } from "../db/SecretFile.js"
import { TawsilConfig } from "../TawsilConfig.js"
import { tokenCheck } from "./TokenCheck.js"

/** The operator's bearer token for `/v1/admin/*`. */
export class AdminToken extends Context.Service<
  AdminToken,
  { readonly matches: (candidate: string) => boolean }
>()("tawsil/http/AdminToken") {
  static readonly make = (token: Redacted.Redacted<string>): AdminToken["Service"] => ({
    matches: tokenCheck(token)
  })

  static readonly layer = (token: Redacted.Redacted<string>) =>
    Layer.succeed(AdminToken, AdminToken.make(token))

  /**
   * `TAWSIL_ADMIN_TOKEN` when set; otherwise a token generated at first start, kept (mode 0600) in the data
   * directory and printed once, so an operator of a fresh install can get in.
   */
  static readonly layerFromConfig = Layer.effect(
    AdminToken,
    Effect.gen(function* () {
      const config = yield* TawsilConfig
      if (Option.isSome(config.adminToken)) return AdminToken.make(config.adminToken.value)
      const file = join(config.dataDir, "admin-token")
      const [kept] = readSecret(file)
      if (kept !== undefined) {
        yield* Effect.logInfo("admin token loaded").pipe(Effect.annotateLogs({ file }))
        return AdminToken.make(Redacted.make(kept))
      }
      const token = `tadm_${randomBytes(24).toString("base64url")}`
      writeSecret(file, [token])
      yield* Effect.sync(() =>
        process.stdout.write(`\nGenerated admin token (kept in ${file}):\n  ${token}\n\n`)
      )
      return AdminToken.make(Redacted.make(token))
    })
  )
}
