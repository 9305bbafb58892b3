import { type Cause, Context, Data, Duration, Effect, Option, RcMap, Scope } from "effect"
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { hostname } from "node:os"
import { guarded } from "./CallGuard.js"
import { scrub } from "./Scrub.js"
import {
  type ProviderError,
  ProviderAmbiguous,
  ProviderMisconfigured,
  ProviderTransient
} from "./Provider.js"

/** Only a place can leave a provider holding an order we do not know of; any other failed call may be retried. */
export type Operation = "place" | "check" | "balance" | "catalogue"

/** An answer that was not data (an HTTP status, a body we cannot read): the cause kept on the provider error. */
export class UnrecognisedAnswer extends Data.TaggedError("UnrecognisedAnswer")<{
  readonly status: number
  readonly body: string
}> {}

export interface Answer {
  readonly status: number
  readonly body: string
}

/** Node and undici error codes that mean the request never reached the provider. */
const notConnected = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

const codeOf = (cause: unknown, depth = 0): string | undefined => {
  if (typeof cause !== "object" || cause === null || depth > 4) return undefined
  if ("code" in cause && typeof cause.code === "string") return cause.code
  return "cause" in cause ? codeOf(cause.cause, depth + 1) : undefined
}

/** Not settled, may be retried: a place that may have reached the provider is ambiguous, anything else transient. */
export const unsettled = (operation: Operation, message: string, cause: unknown) =>
  operation === "place"
    ? new ProviderAmbiguous({ message, cause })
    : new ProviderTransient({ message, cause })

/**
 * What a failed exchange means (docs/domain.md §4 rule 4). The `HttpClientError` itself is not kept: its request holds
 * the URL (Znet puts the credentials in it) and the headers (Barakat's token). Its inner cause is kept instead.
 */
export const transportError = (
  provider: string,
  operation: Operation,
  error: HttpClientError.HttpClientError | Cause.TimeoutError
): ProviderError => {
  if (error._tag === "TimeoutError") {
    // we cannot tell whether the request was written before the deadline: for a place, assume it was
    return unsettled(operation, `${provider}: no answer in time`, error)
  }
  const reason = error.reason
  switch (reason._tag) {
    case "EncodeError":
    case "InvalidUrlError":
      return new ProviderMisconfigured({
        message: `${provider}: the request could not be built (base URL?)`
      })
    case "TransportError": {
      const code = codeOf(reason.cause)
      if (code !== undefined && notConnected.has(code)) {
        return new ProviderTransient({
          message: `${provider}: could not connect (${code})`,
          cause: reason.cause
        })
      }
      return unsettled(operation, `${provider}: connection lost (${code ?? "transport error"})`, reason.cause)
    }
    case "StatusCodeError":
    case "DecodeError":
    case "EmptyBodyError":
      return unsettled(operation, `${provider}: the answer could not be read`, reason.cause)
  }
}

/** 429 and 5xx mean the same for every provider; any other status is the adapter's to read. */
export const statusError = (
  provider: string,
  operation: Operation,
  answer: Answer,
  secrets: ReadonlyArray<string>
): Option.Option<ProviderError> => {
  const cause = () => new UnrecognisedAnswer({ status: answer.status, body: snippet(answer.body, secrets) })
  if (answer.status === 429) {
    return Option.some(
      new ProviderTransient({ message: `${provider}: rate limited (HTTP 429)`, cause: cause() })
    )
  }
  if (answer.status >= 500) {
    return Option.some(unsettled(operation, `${provider}: server error (HTTP ${answer.status})`, cause()))
  }
  return Option.none()
}

/** The adapter cannot build a request from what it was given: the provider's setup or a mapping is wrong. */
export const misconfigured = (message: string) => Effect.fail(new ProviderMisconfigured({ message }))

export const isHtml = (body: string) => body.trimStart().startsWith("<")

/** A short copy of a body, scrubbed of `secrets`, for messages and causes. */
export const snippet = (body: string, secrets: ReadonlyArray<string>) => {
  const clean = scrub(body, secrets)
  if (clean.trim() === "") return "(empty body)"
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean
}

export const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, "")}${path}`

/** Names the calling process to the provider (and to anyone reading its access log): host and pid. */
export const userAgent = `tawsil (${hostname()}; pid ${process.pid})`

/**
 * The client the adapters use: no tracing (a span would record the URL, where Znet carries its credentials, and
 * the headers, where Barakat carries its token) and no trace headers sent to providers.
 */
export const providerHttpClient = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  client.pipe(
    HttpClient.transformResponse((response) =>
      response.pipe(
        Effect.provideService(HttpClient.TracerDisabledWhen, () => true),
        Effect.provideService(HttpClient.TracerPropagationEnabled, false)
      )
    ),
    HttpClient.mapRequest(HttpClientRequest.setHeader("user-agent", userAgent))
  )

export interface ExchangeOptions {
  readonly provider: string
  readonly providerId: string
  readonly endpoint: string
  readonly operation: Operation
  readonly timeout: Duration.Input
}

/**
 * One request and its whole body within `timeout`, with a debug log line that names the endpoint, never the URL.
 * The body is raw: parsers scrub the provider's text (`scrub`) before it goes into a message.
 */
export const exchange = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  options: ExchangeOptions
): Effect.Effect<Answer, ProviderError> =>
  guarded(client.execute(request)).pipe(
    Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
      Effect.map(response.text, (body) => ({ status: response.status, body }))
    ),
    Effect.timeout(options.timeout),
    Effect.mapError((error) =>
      error._tag === "ProviderTransient" ? error : transportError(options.provider, options.operation, error)
    ),
    Effect.timed,
    Effect.tapError((error) =>
      Effect.logDebug("provider call failed").pipe(Effect.annotateLogs({ outcome: error._tag }))
    ),
    Effect.tap(([elapsed, answer]) =>
      Effect.logDebug("provider call").pipe(
        Effect.annotateLogs({ status: answer.status, millis: Math.round(Duration.toMillis(elapsed)) })
      )
    ),
    Effect.map(([, answer]) => answer),
    Effect.annotateLogs({
      provider: options.provider,
      providerId: options.providerId,
      endpoint: options.endpoint,
      operation: options.operation
    })
  )

/**
 * An `RcMap` whose values live as long as the layer that made it: the per-provider lanes (`ProviderLane.ts`) and
 * check batchers, each made once even under concurrency and kept while idle. `RcMap.get` runs a lookup in the context of
 * the fiber that asked first; this one runs it in the layer's own context instead (its Clock, no span), so a
 * value's background fibers carry neither the span nor the log annotations of one order fiber (the test kit's
 * clock reads `orderId`).
 */
export const layerRcMap = <K, A>(lookup: (key: K) => Effect.Effect<A, never, Scope.Scope>) =>
  Effect.flatMap(Effect.context<never>(), (layerContext) =>
    RcMap.make({
      lookup: (key: K) =>
        Effect.updateContext(lookup(key), (asked: Context.Context<Scope.Scope>) =>
          Context.add(layerContext, Scope.Scope, Context.get(asked, Scope.Scope))
        ),
      idleTimeToLive: Duration.infinity
    })
  )
