import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Ref } from "effect"
import { ConditionNotReached, eventuallyWithin } from "./Eventually.js"

const quickly = eventuallyWithin(50)

const timedOut = <A>(exit: Exit.Exit<A>) => {
  assert.isTrue(Exit.isFailure(exit), "eventually gave up")
  const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
  assert.instanceOf(defect, ConditionNotReached)
  return defect
}

describe("test support: eventually", () => {
  it.effect("returns the first value that satisfies the condition", () =>
    Effect.gen(function* () {
      const probes = yield* Ref.make(0)
      const value = yield* quickly(
        Ref.updateAndGet(probes, (n) => n + 1),
        (n) => n >= 3
      )
      assert.strictEqual(value, 3)
    })
  )

  it.effect("a timeout names the condition (its source) and the last value seen", () =>
    Effect.gen(function* () {
      const order = { status: "pending", dispatch: { state: "awaiting" } }
      const error = timedOut(
        yield* Effect.exit(quickly(Effect.succeed(order), (o) => o.status === "approved"))
      )
      assert.include(error.condition, 'o.status === "approved"')
      assert.include(error.message, 'o.status === "approved"')
      assert.include(error.message, "status: 'pending'")
      assert.isAtLeast(error.waitedMillis, 50)
    })
  )

  it.effect("a timeout names the condition by the caller's words when given", () =>
    Effect.gen(function* () {
      const error = timedOut(
        yield* Effect.exit(quickly(Effect.succeed(2), (n) => n === 0, "the engine has no order fiber left"))
      )
      assert.strictEqual(error.condition, "the engine has no order fiber left")
      assert.include(error.message, "the engine has no order fiber left; last value: 2")
    })
  )
})
