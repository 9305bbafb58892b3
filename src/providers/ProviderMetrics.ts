import { Clock, Effect, Exit, Metric } from "effect"
import type { ProviderClient } from "./Provider.js"
import { dispatchOutcomes, providerCallDuration } from "../observability/Metrics.js"

type Call = "place" | "check" | "balance" | "catalogue"

/** What an exit says about a provider call: the answer's tag, the error's tag, or that we stopped waiting. */
const outcomeOf = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) {
    const value: unknown = exit.value
    return typeof value === "object" && value !== null && "_tag" in value && typeof value._tag === "string"
      ? value._tag
      : "Ok"
  }
  if (Exit.hasInterrupts(exit)) return "Interrupted"
  // a single typed failure; a defect, or a failure with a defect beside it, is a defect
  const reasons = exit.cause.reasons
  const only = reasons.length === 1 ? reasons[0] : undefined
  const failure = only !== undefined && only._tag === "Fail" ? only.error : undefined
  return typeof failure === "object" &&
    failure !== null &&
    "_tag" in failure &&
    typeof failure._tag === "string"
    ? failure._tag
    : "Defect"
}

/**
 * Times one call on the Clock and counts its outcome. Sends and checks are the dispatch outcomes; every call,
 * admin ones included, goes into the latency histogram. Interruption (a send timeout, shutdown) is recorded too.
 */
const observed =
  (provider: string, call: Call) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
      Effect.onExit(effect, (exit) =>
        Effect.flatMap(Clock.currentTimeMillis, (endedAt) => {
          const latency = Metric.update(
            providerCallDuration([
              ["provider", provider],
              ["call", call]
            ]),
            Math.max(0, endedAt - startedAt) / 1000
          )
          if (call !== "place" && call !== "check") return latency
          const outcome = dispatchOutcomes([
            ["provider", provider],
            ["call", call],
            ["outcome", outcomeOf(exit)]
          ])
          return Effect.andThen(latency, Metric.update(outcome, 1))
        })
      )
    )

/** The same client, with every call measured under the configured provider's id. */
export const instrumentProvider = (providerId: string, client: ProviderClient): ProviderClient => {
  const catalogue = client.catalogue
  return {
    place: (order) => observed(providerId, "place")(client.place(order)),
    check: (order) => observed(providerId, "check")(client.check(order)),
    balance: observed(providerId, "balance")(client.balance),
    ...(catalogue === undefined ? {} : { catalogue: observed(providerId, "catalogue")(catalogue) })
  }
}
