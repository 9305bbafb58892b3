import fc from "fast-check"
import type { SimulatorFault } from "../../src/providers/Simulator.js"

const providerIds = ["ok", "bad", "slow"] as const
type ProviderId = (typeof providerIds)[number]
const packageIds = ["p-ok", "p-bad", "p-slow", "p-hand"] as const
type Account = 0 | 1

/** One thing that happens to the service: a reseller, a provider, time, an operator or the host does it. */
export type Step =
  | {
      readonly _tag: "Create"
      readonly account: Account
      readonly packageId: (typeof packageIds)[number]
      readonly quantity: 1 | 2
      readonly key: "k1" | "k2" | null
      readonly twice: boolean
    }
  | {
      readonly _tag: "Script"
      readonly providerId: ProviderId
      readonly operation: "place" | "check"
      readonly fault: SimulatorFault
    }
  | { readonly _tag: "Advance"; readonly by: "10 seconds" | "30 seconds" | "1 minute" }
  | { readonly _tag: "Approve" | "Reject" | "Check"; readonly order: number; readonly racing: boolean }
  | {
      readonly _tag: "Dispatch"
      readonly order: number
      readonly providerId: ProviderId | null
      readonly racing: boolean
    }
  | { readonly _tag: "Restart" }
  | { readonly _tag: "TopUp"; readonly account: Account; readonly amount: "15.00" | "-5.00" }

const account = fc.constantFrom<Account>(0, 1)
const order = fc.nat({ max: 11 })
const provider = fc.constantFrom(...providerIds)
const placeFaults: ReadonlyArray<SimulatorFault> = [
  "transient",
  "ambiguousBeforeAccept",
  "ambiguousAfterAccept",
  "unavailable",
  "misconfigured",
  "rejected",
  "hang"
]

// no `hang` on checks: an operator's check would wait for the TestClock that only this script moves
const script = fc.oneof(
  fc.record({
    _tag: fc.constant("Script" as const),
    providerId: provider,
    operation: fc.constant("place" as const),
    fault: fc.constantFrom(...placeFaults)
  }),
  fc.record({
    _tag: fc.constant("Script" as const),
    providerId: provider,
    operation: fc.constant("check" as const),
    fault: fc.constantFrom(...placeFaults.filter((fault) => fault !== "hang"))
  })
)

const create = fc.record({
  _tag: fc.constant("Create" as const),
  account,
  packageId: fc.constantFrom(...packageIds),
  quantity: fc.constantFrom<1 | 2>(1, 2),
  key: fc.constantFrom<"k1" | "k2" | null>(null, null, "k1", "k2"),
  twice: fc.boolean()
})

// `racing`: the operator acts while the engine's timers fire (a 10 s tick), not after the engine has settled
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: create },
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("Advance" as const),
      by: fc.constantFrom("10 seconds", "30 seconds", "1 minute")
    })
  },
  { weight: 2, arbitrary: script },
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constantFrom("Approve" as const, "Reject" as const, "Check" as const),
      order,
      racing: fc.boolean()
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("Dispatch" as const),
      order,
      providerId: fc.constantFrom<ProviderId | null>(null, ...providerIds),
      racing: fc.boolean()
    })
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "Restart" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("TopUp" as const),
      account,
      amount: fc.constantFrom<"15.00" | "-5.00">("15.00", "-5.00")
    })
  }
)

/** A scenario opens with an order, then up to `maxLength - 1` steps of any kind. */
export const scenarioArbitrary = (maxLength: number) =>
  fc
    .tuple(create, fc.array(stepArbitrary, { maxLength: maxLength - 1, size: "max" }))
    .map(([first, rest]): ReadonlyArray<Step> => [first, ...rest])
