import {
  HttpApiBuilder,
  HttpApiError,
  HttpIncomingMessage,
  HttpMethod,
  HttpServerError,
  HttpServerRequest,
  type HttpServerResponse
} from "@effect/platform"
import { Effect, Option } from "effect"
import { TawsilApi } from "./Api.js"
import { NotFound, PayloadTooLarge, UnsupportedMediaType } from "./HttpErrors.js"
import { ValidationError } from "./ValidationError.js"

export const maxBodyBytes = 64 * 1024

type MappedError = ValidationError | NotFound | PayloadTooLarge | UnsupportedMediaType

const tooLarge = new PayloadTooLarge({
  message: `the request body exceeds ${maxBodyBytes} bytes`,
  limit: maxBodyBytes
})

const isJson = (request: HttpServerRequest.HttpServerRequest) => {
  const type = request.headers["content-type"]
  return type === undefined || /^application\/(.+\+)?json\b/i.test(type)
}

const fromDecodeError = (
  request: HttpServerRequest.HttpServerRequest,
  error: HttpApiError.HttpApiDecodeError
) => {
  if (HttpMethod.hasBody(request.method) && !isJson(request)) {
    return new UnsupportedMediaType({ message: "send the body as application/json" })
  }
  const issue = error.issues[0]
  const field = issue === undefined || issue.path.length === 0 ? "body" : issue.path.join(".")
  return new ValidationError({ field, message: issue?.message ?? error.message })
}

/**
 * Gives every malformed request the contract's answer instead of the platform's: schema failures become
 * `ValidationError` naming the field, unparseable JSON a 400, unknown routes a JSON 404, oversized bodies a 413.
 * Body-read failures arrive as defects (the platform reads bodies with `orDie`), hence `catchAllDefect`.
 */
export const ErrorMappingLive = HttpApiBuilder.middleware(TawsilApi, (app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (Number(request.headers["content-length"] ?? "0") > maxBodyBytes) return yield* tooLarge
    // the platform types the inner app as infallible, but it fails with the API's declared errors (passed on
    // unchanged) and with the platform's decode and routing errors (mapped here)
    const inner: Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      MappedError,
      HttpServerRequest.HttpServerRequest
    > = app
    return yield* inner.pipe(
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
          if (cause instanceof Error && cause.message === "maxBytes exceeded") return Effect.fail(tooLarge)
          if (!isJson(request)) {
            return Effect.fail(new UnsupportedMediaType({ message: "send the body as application/json" }))
          }
          return Effect.fail(new ValidationError({ field: "body", message: "the body is not valid JSON" }))
        }
        return Effect.die(defect)
      })
    )
  }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)))
)
