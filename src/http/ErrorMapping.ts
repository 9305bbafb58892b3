import { ByteSize, Cause, Effect, Layer, Schema } from "effect"
import {
  HttpIncomingMessage,
  HttpRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { ApiErrorsLive, unavailableRetryAfterSeconds } from "./ApiErrorsLive.js"
import { deferChunkedBody } from "./ChunkedBody.js"
import { apiWideErrors } from "./ApiErrors.js"
import { NotFound } from "./HttpErrors.js"
import { limitJsonDepth } from "./JsonDepth.js"
import {
  carriesBody,
  isJson,
  mapCause,
  type MappedError,
  maxBodyBytes,
  tooLarge,
  unsupported
} from "./RequestFailures.js"

const answerable = apiWideErrors
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
