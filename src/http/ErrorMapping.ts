import { ByteSize, Cause, Effect, Layer, Schema, SchemaIssue } from "effect"
import {
  HttpIncomingMessage,
  HttpMethod,
  HttpRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse,
  HttpEffect
} from "effect/http"
import { HttpApiError } from "effect/http-api"
import { SqlError } from "effect/sql"
import { ApiErrors } from "./Api.js"
import { bodyTooLarge, deferChunkedBody, isChunked } from "./ChunkedBody.js"
import { answerDefect } from "./Defects.js"
import {
  InternalError,
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

const notJson = new ValidationError({ field: "body", message: "the body is not valid JSON" })

const isJson = (request: HttpServerRequest.HttpServerRequest) => {
  const type = request.headers["content-type"]
  return type === undefined || /^application\/(.+\+)?json\b/i.test(type)
}

const carriesBody = (request: HttpServerRequest.HttpServerRequest) =>
  HttpMethod.hasBody(request.method) &&
  (Number(request.headers["content-length"] ?? "0") > 0 || isChunked(request))

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** The platform's own message for a JSON payload that does not parse. */
const unparseable = "Expected a valid JSON body"

/** A request part that failed its schema: the first issue names the field (a dotted path, "body" for the whole). */
const fromSchemaError = (
  request: HttpServerRequest.HttpServerRequest,
  error: HttpApiError.HttpApiSchemaError
) => {
  if (HttpMethod.hasBody(request.method) && !isJson(request)) return unsupported
  const issue = formatIssues(error.cause.issue).issues[0]
  const path = issue?.path ?? []
  if (issue === undefined || path.length === 0) {
    if (error.kind === "Payload" && issue?.message === unparseable) return notJson
    return new ValidationError({ field: "body", message: issue?.message ?? error.message })
  }
  return new ValidationError({ field: path.map(String).join("."), message: issue.message })
}

/** The request parts a caller sent (a failure to encode the answer is ours: a 500). */
const isRequestPart = (error: HttpApiError.HttpApiSchemaError) =>
  error.kind === "Params" || error.kind === "Headers" || error.kind === "Query" || error.kind === "Payload"

/** The error itself or one it wraps (`cause`), a few levels deep. */
const wraps = (error: unknown, found: (error: unknown) => boolean, depth = 0): boolean =>
  found(error) ||
  (depth < 3 &&
    typeof error === "object" &&
    error !== null &&
    "cause" in error &&
    wraps(error.cause, found, depth + 1))

/** The answer for a body that could not be read (the platform reads bodies with `orDie`), if the defect is one. */
const fromBodyDefect = (
  request: HttpServerRequest.HttpServerRequest,
  defect: unknown
): MappedError | undefined => {
  if (!HttpServerError.isHttpServerError(defect) || defect.reason._tag !== "RequestParseError")
    return undefined
  const reason = defect.reason
  if (reason.reason === "BodyTooLarge") return tooLarge
  const cause = reason.cause
  if (wraps(cause, (e) => e === bodyTooLarge)) return tooLarge
  if (wraps(cause, (e) => e instanceof JsonTooDeep)) {
    return new ValidationError({
      field: "body",
      message: cause instanceof JsonTooDeep ? cause.message : "the body nests too deep"
    })
  }
  if (cause instanceof Error && cause.message === "maxBytes exceeded") return tooLarge
  if (!isJson(request)) return unsupported
  return notJson
}

/**
 * What a request that did not succeed is answered: declared failures pass unchanged; schema failures become
 * `ValidationError`, unreadable bodies a 413/415/400, an unreachable database a 503 and anything else a 500
 * (`answerDefect`, which logs the cause). A client that went away is not answered.
 */
const mapCause = <E>(
  request: HttpServerRequest.HttpServerRequest,
  cause: Cause.Cause<E>
): Effect.Effect<never, E | MappedError> => {
  const failure = cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) {
    const error: unknown = failure.error
    if (HttpApiError.HttpApiSchemaError.is(error) && isRequestPart(error)) {
      return Effect.fail(fromSchemaError(request, error))
    }
    if (!SqlError.isSqlError(error) && !HttpApiError.HttpApiSchemaError.is(error))
      return Effect.failCause(cause)
    return answerDefect(cause)
  }
  // a client that went away: nobody to answer
  if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
  const defect = cause.reasons.find(Cause.isDieReason)
  const answer = defect === undefined ? undefined : fromBodyDefect(request, defect.defect)
  return answer === undefined ? answerDefect(cause) : Effect.fail(answer)
}

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

const answerable = [
  ValidationError,
  NotFound,
  PayloadTooLarge,
  UnsupportedMediaType,
  ServiceUnavailable,
  InternalError
]
const encodeAnswer = Schema.encodeSync(Schema.Union(answerable))
const isMapped = (error: unknown): error is MappedError =>
  answerable.some((tagged) => error instanceof tagged)

const statusOf: Record<MappedError["_tag"], number> = {
  ValidationError: 400,
  NotFound: 404,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  ServiceUnavailable: 503,
  InternalError: 500
}

/** The JSON answer for an error raised outside the API's endpoints (they encode their own). */
const answer = (error: MappedError): HttpServerResponse.HttpServerResponse => {
  const response = HttpServerResponse.jsonUnsafe(encodeAnswer(error), { status: statusOf[error._tag] })
  return error._tag === "ServiceUnavailable"
    ? HttpServerResponse.setHeader(response, "retry-after", String(unavailableRetryAfterSeconds))
    : response
}

const isRouteNotFound = (error: unknown) =>
  HttpServerError.isHttpServerError(error) && error.reason._tag === "RouteNotFound"

/**
 * Gives every request that does not succeed a tagged JSON answer instead of the platform's: schema failures
 * become `ValidationError` naming the field, unparseable JSON a 400, unknown routes a JSON 404, oversized bodies
 * a 413, non-JSON bodies a 415, an unreachable database a 503 and any other defect a 500 `InternalError` (logged
 * with its cause). Router-wide (every route, unknown ones included) plus `ApiErrorsLive` inside the endpoints.
 * Needs the HttpRouter; gives `ApiErrors` (provide it to the groups' layers).
 */
export const ErrorMappingLive = Layer.merge(
  ApiErrorsLive,
  HttpRouter.middleware(
    (app) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (Number(request.headers["content-length"] ?? "0") > maxBodyBytes) return answer(tooLarge)
        // the platform would also decode form and multipart bodies into the payload; the contract is JSON only
        if (carriesBody(request) && !isJson(request)) return answer(unsupported)
        const deferred = yield* deferChunkedBody(request, maxBodyBytes)
        return yield* app.pipe(
          Effect.provideService(HttpServerRequest.HttpServerRequest, limitJsonDepth(deferred)),
          Effect.catchCause((cause) => {
            const failure = cause.reasons.find(Cause.isFailReason)
            if (failure !== undefined && isRouteNotFound(failure.error)) {
              const path = request.url.split("?")[0]
              return Effect.succeed(
                answer(new NotFound({ message: `no route for ${request.method} ${path}` }))
              )
            }
            return mapCause(request, cause).pipe(
              Effect.catch((error) =>
                isMapped(error) ? Effect.succeed(answer(error)) : Effect.failCause(cause)
              )
            )
          })
        )
      }).pipe(Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBodyBytes))),
    { global: true }
  )
)
