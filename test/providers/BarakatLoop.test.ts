/**
 * LOOP_DETECTED between Tawsil instances, as the Barakat adapter reads it (src/providers/TawsilChain.ts): a refused
 * place is a misconfiguration that names the loop; a partner's check entry carrying the code is `Looped`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { checkResultFor, parseCheck, parsePlace } from "../../src/providers/BarakatParse.js"
import { loopDetectedCode } from "../../src/providers/TawsilChain.js"

const answer = (body: unknown) => ({ status: 200, body: JSON.stringify(body) })

describe("Barakat adapter: a Tawsil partner's LOOP_DETECTED", () => {
  it("a place refused with the loop code is Misconfigured, marked as a loop", () => {
    const result = parsePlace(
      answer({ status: "ERROR", code: loopDetectedCode, message: "LOOP_DETECTED: a → b → a" }),
      []
    )
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "ProviderMisconfigured")
      assert.isTrue(result.failure._tag === "ProviderMisconfigured" && result.failure.loop === true)
    }
  })

  it("another misconfiguration (a bad token) is not marked as a loop", () => {
    const result = parsePlace(answer({ status: "ERROR", code: 121, message: "token error" }), [])
    assert.isTrue(
      Result.isFailure(result) &&
        result.failure._tag === "ProviderMisconfigured" &&
        result.failure.loop === undefined
    )
  })

  it("a `wait` entry with the loop code is Looped; without it, Pending", () => {
    const entries = parseCheck(
      answer({
        status: "OK",
        data: [
          {
            order_id: 7,
            order_uuid: "held",
            status: "wait",
            code: loopDetectedCode,
            note: "LOOP_DETECTED: …"
          },
          { order_id: 8, order_uuid: "waiting", status: "wait" }
        ]
      }),
      []
    )
    assert.isTrue(Result.isSuccess(entries))
    if (Result.isSuccess(entries)) {
      const held = checkResultFor(entries.success, { orderId: "held", providerOrderId: "7" })
      const waiting = checkResultFor(entries.success, { orderId: "waiting", providerOrderId: "8" })
      assert.strictEqual(Result.isSuccess(held) ? held.success._tag : "failure", "Looped")
      assert.strictEqual(Result.isSuccess(waiting) ? waiting.success._tag : "failure", "Pending")
    }
  })
})
