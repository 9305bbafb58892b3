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
export type PlaceStep = Step<PlaceResult>
export type CheckStep = Step<CheckResult>

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

// place answers
export const accepted = (message = "accepted"): PlaceStep => answer(PlaceResult.Accepted({ message }))
/** Settled in the send itself, like Tawsil's own code inventory. */
export const delivered = (pin: string, message = "delivered"): PlaceStep =>
  answer(PlaceResult.Delivered({ pin, message }))

// check answers
export const pending = (message = "processing"): CheckStep => answer(CheckResult.Pending({ message }))
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

/** The tag a call is recorded with: the answer's (`Accepted`, `Pending`, …), the error's, or `Hang`. */
export const stepTag = <A extends { readonly _tag: string }>(step: Step<A>): string =>
  step._tag === "Answer" ? step.answer._tag : step._tag === "Fail" ? step.error._tag : "Hang"
