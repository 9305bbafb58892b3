import { Duration, Effect } from "effect"
import type { HttpClient, HttpClientRequest } from "effect/http"
import { scrub } from "../providers/Scrub.js"

/** What one POST to a callback URL came to. */
export type AttemptOutcome =
  | { readonly _tag: "Delivered"; readonly status: number }
  | { readonly _tag: "Refused"; readonly status: number; readonly answer: string }
  | { readonly _tag: "Unreachable"; readonly reason: string }
  | { readonly _tag: "TimedOut"; readonly after: Duration.Duration }
  | { readonly _tag: "NoCallbackUrl" }

/** At most this many characters of a receiver's answer are kept (scrubbed), in the row and in logs. */
export const answerChars = 200

const clip = (text: string) => (text.length > answerChars ? `${text.slice(0, answerChars)}…` : text)

/** The short, scrubbed text an operator reads in `lastError`. */
export const describeOutcome = (outcome: AttemptOutcome): string => {
  switch (outcome._tag) {
    case "Delivered":
      return `status ${outcome.status}`
    case "Refused":
      return `status ${outcome.status}: ${outcome.answer}`
    case "Unreachable":
      return `unreachable: ${outcome.reason}`
    case "TimedOut":
      return `no answer within ${Duration.format(outcome.after)}`
    case "NoCallbackUrl":
      return "the account has no callback URL"
  }
}

/**
 * POSTs `request` and reads at most the answer's status and a scrubbed beginning (`secrets`: the signing secret and
 * the URL, neither of which may show in a row or a log), all within `timeout`.
 */
export const postCallback = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.Duration,
  secrets: ReadonlyArray<string>
): Effect.Effect<AttemptOutcome> =>
  Effect.gen(function* () {
    const response = yield* client.execute(request)
    if (response.status >= 200 && response.status < 300) {
      return { _tag: "Delivered", status: response.status } as const
    }
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    return {
      _tag: "Refused",
      status: response.status,
      answer: clip(scrub(text.slice(0, answerChars * 4), secrets)).replace(/\p{Cc}/gu, " ")
    } as const
  }).pipe(
    Effect.scoped,
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () => Effect.succeed<AttemptOutcome>({ _tag: "TimedOut", after: timeout })
    }),
    Effect.catch((error) =>
      Effect.succeed<AttemptOutcome>({ _tag: "Unreachable", reason: error.reason._tag })
    )
  )
