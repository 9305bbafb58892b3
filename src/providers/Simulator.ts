import { Clock, Context, Duration, Effect, Layer } from "effect"
import type { SimulatorOptions } from "./ProviderConfig.js"
import {
  CheckResult,
  PlaceResult,
  ProviderAmbiguous,
  type ProviderClient,
  type ProviderError,
  ProviderMisconfigured,
  type ProviderOrder,
  ProviderRejected,
  ProviderTransient,
  ProviderUnavailable
} from "./Provider.js"

/** A fault the simulator can be told to answer with, once, on its next call of that operation. */
export type SimulatorFault =
  | "transient"
  | "ambiguousBeforeAccept"
  | "ambiguousAfterAccept"
  | "unavailable"
  | "misconfigured"
  | "rejected"
  | "hang"
  /** the connection resets at once, but the request was in transit: the provider takes the order 25 s later */
  | "arrivesLate"

/** How long an `arrivesLate` request takes to reach the simulated provider. */
export const lateArrival = Duration.seconds(25)

export interface SimulatorCall {
  readonly operation: "place" | "check"
  readonly providerId: string
  readonly reference: string
  readonly atMillis: number
  /** high-resolution Clock time, for latency measurements */
  readonly atNanos: bigint
}

interface SimulatedOrder {
  checks: number
  readonly outcome: "success" | "failure"
}

const errorFor = (
  fault: Exclude<SimulatorFault, "hang" | "ambiguousAfterAccept" | "arrivesLate">
): ProviderError => {
  switch (fault) {
    case "transient":
      return new ProviderTransient({ message: "simulated: connection refused" })
    case "ambiguousBeforeAccept":
      return new ProviderAmbiguous({ message: "simulated: connection reset after the request was written" })
    case "unavailable":
      return new ProviderUnavailable({ message: "simulated: Insufficient balance" })
    case "misconfigured":
      return new ProviderMisconfigured({ message: "simulated: token error" })
    case "rejected":
      return new ProviderRejected({ message: "simulated: invalid player id" })
  }
}

/**
 * The in-process provider for demos, load tests and the engine's own tests. It keeps its orders by reference,
 * like a real provider, records every call, and can be scripted with faults of every error tag. It goes through
 * exactly the same engine path as the wire adapters.
 */
export class SimulatorProvider extends Context.Service<SimulatorProvider>()(
  "tawsil/providers/SimulatorProvider",
  {
    make: Effect.sync(() => {
      const orders = new Map<string, SimulatedOrder>()
      const calls: Array<SimulatorCall> = []
      const faults = new Map<string, Array<SimulatorFault>>()

      const nextFault = (providerId: string, operation: "place" | "check") =>
        faults.get(`${providerId}:${operation}`)?.shift()

      const record = (operation: "place" | "check", providerId: string, reference: string) =>
        Effect.flatMap(Clock.currentTimeNanos, (atNanos) =>
          Effect.sync(() =>
            calls.push({ operation, providerId, reference, atNanos, atMillis: Number(atNanos / 1_000_000n) })
          )
        )

      const outcomeFor = (options: SimulatorOptions, reference: string): "success" | "failure" => {
        const outcome = options.outcome ?? "success"
        if (outcome !== "mixed") return outcome
        return Number(reference.slice(-1)) % 5 === 0 ? "failure" : "success"
      }

      const client = (providerId: string, options: SimulatorOptions): ProviderClient => {
        const latency = Duration.millis(options.sendLatencyMs ?? 0)
        const checksBeforeFinal = options.checksBeforeFinal ?? 1

        const place = (order: ProviderOrder) =>
          Effect.gen(function* () {
            yield* record("place", providerId, order.reference)
            const fault = nextFault(providerId, "place")
            if (fault === "hang") return yield* Effect.never
            if (fault === "arrivesLate") {
              yield* Effect.forkDetach(
                Effect.delay(
                  Effect.sync(() =>
                    orders.set(order.reference, { checks: 0, outcome: outcomeFor(options, order.reference) })
                  ),
                  lateArrival
                )
              )
              return yield* new ProviderAmbiguous({ message: "simulated: connection reset while in transit" })
            }
            if (Duration.isGreaterThan(latency, Duration.zero)) yield* Effect.sleep(latency)
            if (fault !== undefined && fault !== "ambiguousAfterAccept")
              return yield* Effect.fail(errorFor(fault))
            // like a real provider: a repeated reference is a brand-new order (it does not deduplicate)
            orders.set(order.reference, { checks: 0, outcome: outcomeFor(options, order.reference) })
            if (fault === "ambiguousAfterAccept") {
              return yield* new ProviderAmbiguous({
                message: "simulated: timeout after the order was accepted"
              })
            }
            return PlaceResult.Accepted({ providerOrderId: `sim-${order.reference}`, message: "accepted" })
          })

        const check = (order: ProviderOrder) =>
          Effect.gen(function* () {
            yield* record("check", providerId, order.reference)
            const fault = nextFault(providerId, "check")
            if (fault === "hang") return yield* Effect.never
            if (fault !== undefined && fault !== "ambiguousAfterAccept" && fault !== "arrivesLate")
              return yield* Effect.fail(errorFor(fault))
            const known = orders.get(order.reference)
            if (known === undefined) return CheckResult.NotFound({ message: "unknown reference" })
            known.checks += 1
            if (known.checks <= checksBeforeFinal) return CheckResult.Pending({ message: "processing" })
            return known.outcome === "success"
              ? CheckResult.Succeeded({ pin: `PIN-${order.reference}`, message: "تم القبول (delivered)" })
              : CheckResult.Failed({ message: "تم الإلغاء من المزود (cancelled by the provider)" })
          })

        return { place, check, balance: Effect.succeed({ balance: "1000000.00", currency: "USD" }) }
      }

      return {
        client,
        /** Script the next answers of `operation` for one provider, in order. */
        inject: (providerId: string, operation: "place" | "check", ...next: ReadonlyArray<SimulatorFault>) =>
          Effect.sync(() => {
            const key = `${providerId}:${operation}`
            faults.set(key, [...(faults.get(key) ?? []), ...next])
          }),
        /** Every call so far, oldest first. */
        calls: Effect.sync((): ReadonlyArray<SimulatorCall> => [...calls]),
        /** Make the provider forget a reference, as if the order never reached it. */
        forget: (reference: string) => Effect.sync(() => orders.delete(reference))
      } as const
    })
  }
) {
  static readonly layer = Layer.effect(this, this.make)
}
