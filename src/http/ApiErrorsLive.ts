import { Effect, Layer } from "effect"
import { HttpEffect, HttpMethod, HttpServerRequest, HttpServerResponse } from "effect/http"
import { ApiErrors } from "./ApiErrors.js"
import { RateLimited, ServiceUnavailable } from "./HttpErrors.js"
import { isJson, mapCause, unsupported } from "./RequestFailures.js"

/** Seconds a caller is asked to wait after a 503 before trying again. */
export const unavailableRetryAfterSeconds = 2

const retryAfter = (seconds: number) =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(seconds)))
  )

/** A 503 or a 429 says when to come back. */
const tellWhenToRetry = (error: unknown) => {
  if (error instanceof ServiceUnavailable) return retryAfter(unavailableRetryAfterSeconds)
  if (error instanceof RateLimited) return retryAfter(error.retryAfter)
  return Effect.void
}

/**
 * `ApiErrors` (the errors every endpoint of `TawsilApi` may answer) around each endpoint: the endpoint's decode
 * failures, unreadable bodies and defects become those tagged errors, answered as JSON with their status by the
 * endpoint like its own errors; a 503 or 429 gets a `Retry-After`. Must be given to the groups' layers.
 */
export const ApiErrorsLive = Layer.succeed(ApiErrors, (httpEffect, { endpoint }) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    // the platform would answer a non-JSON body it has no decoder for with a plain-text 415
    if (endpoint.payload.size > 0 && HttpMethod.hasBody(request.method) && !isJson(request)) {
      return Effect.fail(unsupported).pipe(Effect.tapError(tellWhenToRetry))
    }
    return httpEffect.pipe(
      Effect.catchCause((cause) => mapCause(request, cause)),
      Effect.tapError(tellWhenToRetry)
    )
  })
)
