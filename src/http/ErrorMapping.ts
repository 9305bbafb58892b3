import {
  HttpApiBuilder,
  HttpApiError,
  HttpApp,
  HttpIncomingMessage,
  HttpMethod,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { SqlError } from "@effect/sql"
import { Cause, Effect, Option } from "effect"
import { TawsilApi } from "./Api.js"
import { bodyTooLarge, deferChunkedBody, isChunked } from "./ChunkedBody.js"
import { answerDefect } from "./Defects.js"
import {
  type InternalError,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  ServiceUnavailable,
  UnsupportedMediaType
} from "./HttpErrors.js"
import { ValidationError } from "../orders/ValidationError.js"
import { JsonTooDeep, limitJsonDepth } from "./JsonDepth.js"

export const maxBodyBytes = 64 * 1024

/** Seconds a caller is asked to wait after a 503 before trying again. */
export const unavailableRetryAfterSeconds = 2

type MappedError =
  ValidationError | NotFound | PayloadTooLarge | UnsupportedMediaType | ServiceUnavailable | InternalError

const tooLarge = new PayloadTooLarge({
  message: `the request body exceeds ${maxBodyBytes} bytes`,
  limit: maxBodyBytes
})

const unsupported = new UnsupportedMediaType({ message: "send the body as application/json" })

const isJson = (request: HttpServerRequest.HttpServerRequest) => {
  const type = request.headers["content-type"]
  return type === undefined || /^application\/(.+\+)?json\b/i.test(type)
}

const carriesBody = (request: HttpServerRequest.HttpServerRequest) =>
  HttpMethod.hasBody(request.method) &&
  (Number(request.headers["content-length"] ?? "0") > 0 || isChunked(request))

const fromDecodeError = (
  request: HttpServerRequest.HttpServerRequest,
  error: HttpApiError.HttpApiDecodeError
) => {
  if (HttpMethod.hasBody(request.method) && !isJson(request)) return unsupported
  const issue = error.issues[0]
  const field = issue === undefined || issue.path.length === 0 ? "body" : issue.path.join(".")
  return new ValidationError({ field, message: issue?.message ?? error.message })
}

const retryAfter = (seconds: number) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(seconds)))
  )

/** A 503 or a 429 says when to come back. */
const tellWhenToRetry = (error: unknown) => {
  if (error instanceof ServiceUnavailable) return retryAfter(unavailableRetryAfterSeconds)
  if (error instanceof RateLimited) return retryAfter(error.retryAfter)
  return Effect.void
}

/**
 * Gives every request that does not succeed a tagged JSON answer instead of the platform's: schema failures
 * become `ValidationError` naming the field, unparseable JSON a 400, unknown routes a JSON 404, oversized bodies
 * a 413, an unreachable database a 503 and any other defect a 500 `InternalError` (logged with its cause).
 * Body-read failures arrive as defects (the platform reads bodies with `orDie`), hence the defect handling.
 */
export const ErrorMappingLive = HttpApiBuilder.middleware(TawsilApi, (app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (Number(request.headers["content-length"] ?? "0") > maxBodyBytes) return yield* tooLarge
    // the platform would also decode form and multipart bodies into the payload; the contract is JSON only
    if (carriesBody(request) && !isJson(request)) return yield* unsupported
    const deferred = yield* deferChunkedBody(request, maxBodyBytes)
    // the platform types the inner app as infallible, but it fails with the API's declared errors (passed on
    // unchanged) and with the platform's decode and routing errors (mapped here)
    const inner: Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      MappedError,
      HttpServerRequest.HttpServerRequest
    > = app
    return yield* inner.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, limitJsonDepth(deferred)),
      Effect.mapError((declared): MappedError => {
        const error: unknown = declared
        if (error instanceof HttpApiError.HttpApiDecodeError) return fromDecodeError(request, error)
        if (HttpServerError.isServerError(error) && error._tag === "RouteNotFound") {
          return new NotFound({ message: `no route for ${request.method} ${request.url.split("?")[0]}` })
        }
        return declared
      }),
      Effect.catchAllDefect((defect): Effect.Effect<never, MappedError> => {
        if (
          HttpServerError.isServerError(defect) &&
          defect._tag === "RequestError" &&
          defect.reason === "Decode"
        ) {
          const cause = defect.cause
          if (cause === bodyTooLarge) return Effect.fail(tooLarge)
          if (cause instanceof JsonTooDeep) {
            return Effect.fail(new ValidationError({ field: "body", message: cause.message }))
          }
          if (cause instanceof Error && cause.message === "maxBytes exceeded") return Effect.fail(tooLarge)
          if (!isJson(request)) return Effect.fail(unsupported)
          return Effect.fail(new ValidationError({ field: "body", message: "the body is not valid JSON" }))
        }
        return Effect.die(defect)
      }),
      Effect.catchAllCause((cause) => {
        const failure = Cause.failureOption(cause)
        // a client that went away: nobody to answer
        if (Option.isNone(failure) && Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
        if (Option.isSome(failure) && !(failure.value instanceof SqlError.SqlError)) {
          return Effect.fail(failure.value)
        }
        return answerDefect(cause)
      }),
      Effect.tapError(tellWhenToRetry)
    )
  }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)))
)
