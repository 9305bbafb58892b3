import {
  CheckResult,
  PlaceResult,
  ProviderAmbiguous,
  type ProviderError,
  ProviderMisconfigured,
  ProviderRejected,
  ProviderTransient,
  ProviderUnavailable
} from "../providers/Provider.js"

/** One answer of a scripted provider: a result, a typed failure, or no answer at all (the call hangs). */
export type Step<A> =
  | { readonly _tag: "Answer"; readonly answer: A }
  | { readonly _tag: "Fail"; readonly error: ProviderError }
  | { readonly _tag: "Hang" }

/** A failure or a hang: usable as a `place` step and as a `check` step. */
export type Fault = Step<never>

/**
 * Delivered with a PIN, as a `place` step (settled in the send itself, `Delivered`) or as a `check` step (the check
 * answers `Succeeded`): one step for both lists.
 */
export interface DeliveredStep {
  readonly _tag: "Delivered"
  readonly pin: string
  readonly message: string
}

export type PlaceStep = Step<PlaceResult> | DeliveredStep
export type CheckStep = Step<CheckResult> | DeliveredStep

/**
 * What a scripted provider answers, call after call, for each order it sees (every order walks its own copy).
 * When a list runs out its last step repeats; an empty `place` accepts, an empty `check` answers pending.
 */
export interface Script {
  readonly place?: ReadonlyArray<PlaceStep> | undefined
  readonly check?: ReadonlyArray<CheckStep> | undefined
}

const answer = <A>(value: A): Step<A> => ({ _tag: "Answer", answer: value })
const fail = (error: ProviderError): Fault => ({ _tag: "Fail", error })

/**
 * Delivered with `pin`: in a `place` list the send itself settles the order (like Tawsil's own code inventory), in
 * a `check` list the check answers succeeded with the PIN.
 */
export const delivered = (pin: string, message = "delivered"): DeliveredStep => ({
  _tag: "Delivered",
  pin,
  message
})

// place answers
export const accepted = (message = "accepted"): PlaceStep => answer(PlaceResult.Accepted({ message }))

// check answers
export const pending = (message = "processing"): CheckStep => answer(CheckResult.Pending({ message }))
/** The check answers succeeded (the PIN is optional here; `delivered(pin)` is the same with a PIN). */
export const succeeded = (pin?: string, message = "delivered"): CheckStep =>
  answer(CheckResult.Succeeded({ pin, message }))
export const failed = (message = "cancelled by the provider"): CheckStep =>
  answer(CheckResult.Failed({ message }))
/** The provider has never seen the order's reference (a re-send after an ambiguous send is then allowed). */
export const notFound = (message = "unknown reference"): CheckStep =>
  answer(CheckResult.NotFound({ message }))

// faults, one per error tag of the provider port
export const transient = (message = "scripted: connection refused"): Fault =>
  fail(new ProviderTransient({ message }))
export const ambiguous = (message = "scripted: connection reset after the request was written"): Fault =>
  fail(new ProviderAmbiguous({ message }))
export const unavailable = (message = "scripted: insufficient balance"): Fault =>
  fail(new ProviderUnavailable({ message }))
export const misconfigured = (message = "scripted: token error"): Fault =>
  fail(new ProviderMisconfigured({ message }))
export const rejected = (message = "scripted: invalid player id"): Fault =>
  fail(new ProviderRejected({ message }))
/** No answer: the engine's send or check timeout decides (advance the clock past it). */
export const hang: Fault = { _tag: "Hang" }

/** A `place` step as the provider plays it: `delivered` is the send's `Delivered` answer. */
export const placeStep = (step: PlaceStep): Step<PlaceResult> =>
  step._tag === "Delivered" ? answer(PlaceResult.Delivered({ pin: step.pin, message: step.message })) : step

/** A `check` step as the provider plays it: `delivered` is the check's `Succeeded` answer, with the PIN. */
export const checkStep = (step: CheckStep): Step<CheckResult> =>
  step._tag === "Delivered" ? answer(CheckResult.Succeeded({ pin: step.pin, message: step.message })) : step

/** The tag a call is recorded with: the answer's (`Accepted`, `Pending`, …), the error's, or `Hang`. */
export const stepTag = <A extends { readonly _tag: string }>(step: Step<A>): string =>
  step._tag === "Answer" ? step.answer._tag : step._tag === "Fail" ? step.error._tag : "Hang"
