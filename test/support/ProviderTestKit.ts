import { assert } from "@effect/vitest"
import { Result } from "effect"
import { inspect } from "node:util"
import type { WireFault } from "./WireServer.js"

/** The tag of an answer or of an error: what the engine decides on. */
export const outcome = (result: Result.Result<unknown, { readonly _tag: string }>) =>
  Result.match(result, {
    onFailure: (e) => e._tag,
    onSuccess: (a) => (typeof a === "object" && a !== null && "_tag" in a ? String(a._tag) : "ok")
  })

/** An exact answer for a wire simulator to give. */
export const reply = (body: string, status = 200, contentType?: string): WireFault => ({
  reply: contentType === undefined ? { status, body } : { status, body, contentType }
})

/** Neither the inspected value (causes included) nor its JSON holds any of `secrets`. */
export const assertNoSecrets = (value: unknown, secrets: ReadonlyArray<string>) => {
  const shown = `${inspect(value, { depth: 12 })} ${JSON.stringify(value) ?? ""}`
  for (const secret of secrets) assert.notInclude(shown, secret, "a secret leaked")
}
