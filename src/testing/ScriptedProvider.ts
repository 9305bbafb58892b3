import { Clock, Context, Effect, Layer } from "effect"
import type { ProviderClient, ProviderError, ProviderOrder } from "../providers/Provider.js"
import { type ProviderKindInput, ProviderKinds } from "../providers/ProviderKinds.js"
import type { ProviderRow } from "../providers/ProviderConfigs.js"
import { accepted, checkStep, pending, placeStep, type Script, type Step, stepTag } from "./Script.js"

/** One call the engine (or an operator's `check`) made to a scripted provider. */
export interface ScriptedCall {
  readonly operation: "place" | "check"
  readonly providerId: string
  readonly orderId: string
  readonly reference: string
  readonly playerId: string
  /** TestClock time of the call */
  readonly atMillis: number
  /** what the script answered: `Accepted`, `Pending`, `Succeeded`, `ProviderTransient`, `Hang`, … */
  readonly answer: string
}

/** The provider kind a scripted provider row carries. */
export const scriptedKind = "scripted"

const play = <A>(step: Step<A>): Effect.Effect<A, ProviderError> => {
  switch (step._tag) {
    case "Answer":
      return Effect.succeed(step.answer)
    case "Fail":
      return Effect.fail(step.error)
    case "Hang":
      return Effect.never
  }
}

/**
 * A fake provider for tests: it answers every order by the script of its provider id (each order walks its own
 * copy, by reference) and records every call. Plugged into the engine as the provider kind `scripted`
 * (`ScriptedProvider.kinds`), so orders go through exactly the engine path of the real adapters.
 */
export class ScriptedProvider extends Context.Service<ScriptedProvider>()("tawsil/testing/ScriptedProvider", {
  make: Effect.sync(() => {
    const scripts = new Map<string, Script>()
    const positions = new Map<string, number>()
    const calls: Array<ScriptedCall> = []

    const next = <A extends { readonly _tag: string }>(
      operation: "place" | "check",
      providerId: string,
      order: ProviderOrder,
      steps: ReadonlyArray<Step<A>>
    ) =>
      Effect.gen(function* () {
        const key = `${providerId}|${order.reference}|${operation}`
        const position = positions.get(key) ?? 0
        positions.set(key, position + 1)
        const step = steps[Math.min(position, steps.length - 1)]!
        calls.push({
          operation,
          providerId,
          orderId: order.orderId,
          reference: order.reference,
          playerId: order.playerId,
          atMillis: yield* Clock.currentTimeMillis,
          answer: stepTag(step)
        })
        return yield* play(step)
      })

    const client = (providerId: string): ProviderClient => {
      const script = () => scripts.get(providerId) ?? {}
      const nonEmpty = <S, A>(steps: ReadonlyArray<S> | undefined, fallback: S, play: (step: S) => Step<A>) =>
        (steps === undefined || steps.length === 0 ? [fallback] : steps).map(play)
      return {
        place: (order) =>
          Effect.suspend(() =>
            next("place", providerId, order, nonEmpty(script().place, accepted(), placeStep))
          ),
        check: (order) =>
          Effect.suspend(() =>
            next("check", providerId, order, nonEmpty(script().check, pending(), checkStep))
          ),
        balance: Effect.succeed({ balance: "1000000.00", currency: "USD" })
      }
    }

    return {
      factory: (row: ProviderRow) => Effect.succeed(client(row.id)),
      /** Set (or replace) the script of `providerId`; orders already under way continue at their position. */
      script: (providerId: string, script: Script) => Effect.sync(() => void scripts.set(providerId, script)),
      /** Every call so far, oldest first; optionally only one operation and/or one order. */
      calls: (filter: { readonly operation?: "place" | "check"; readonly orderId?: string } = {}) =>
        Effect.sync(() =>
          calls.filter(
            (call) =>
              (filter.operation === undefined || call.operation === filter.operation) &&
              (filter.orderId === undefined || call.orderId === filter.orderId)
          )
        )
    } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)

  /** The `scripted` provider kind and `others`, for `layer({ providerKinds })`. Needs the ScriptedProvider service. */
  static readonly kindsWith = (others: Readonly<Record<string, ProviderKindInput>>) =>
    Layer.effect(
      ProviderKinds,
      Effect.map(ScriptedProvider, (scripted) => ({ ...others, [scriptedKind]: scripted.factory }))
    )

  /** The `scripted` provider kind, for `layer({ providerKinds })`. Needs the ScriptedProvider service. */
  static readonly kinds = ScriptedProvider.kindsWith({})
}
