import {
  HttpApiBuilder,
  HttpApiError,
  HttpIncomingMessage,
  HttpMethod,
  HttpServerError,
  HttpServerRequest,
  type HttpServerResponse
} from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import { TawsilApi } from "./Api.js"
import { NotFound, PayloadTooLarge, UnsupportedMediaType } from "./HttpErrors.js"
import { ValidationError } from "../orders/ValidationError.js"

export const maxBodyBytes = 64 * 1024

type MappedError = ValidationError | NotFound | PayloadTooLarge | UnsupportedMediaType

const tooLarge = new PayloadTooLarge({
  message: `the request body exceeds ${maxBodyBytes} bytes`,
  limit: maxBodyBytes
})

const unsupported = new UnsupportedMediaType({ message: "send the body as application/json" })

const isJson = (request: HttpServerRequest.HttpServerRequest) => {
  const type = request.headers["content-type"]
  return type === undefined || /^application\/(.+\+)?json\b/i.test(type)
}

const isChunked = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers["content-length"] === undefined && request.headers["transfer-encoding"] !== undefined

const carriesBody = (request: HttpServerRequest.HttpServerRequest) =>
  HttpMethod.hasBody(request.method) &&
  (Number(request.headers["content-length"] ?? "0") > 0 || isChunked(request))

/**
 * A body of unknown length is read here rather than by the platform, which on passing its limit destroys the
 * request and with it the connection, so no 413 could be answered. Past the limit the rest is drained, not kept.
 */
const bufferChunked = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    const kept: Array<Uint8Array> = []
    let size = 0
    yield* Stream.runForEach(request.stream, (chunk) =>
      Effect.sync(() => {
        size += chunk.length
        if (size <= maxBodyBytes) kept.push(chunk)
      })
    ).pipe(Effect.orDie)
    if (size > maxBodyBytes) return yield* tooLarge
    const { "transfer-encoding": _, ...headers } = request.headers
    return HttpServerRequest.fromWeb(
      new Request(`http://localhost${request.url}`, {
        method: request.method,
        headers: { ...headers, "content-length": String(size) },
        body: Buffer.concat(kept)
      })
    )
  })

const fromDecodeError = (
  request: HttpServerRequest.HttpServerRequest,
  error: HttpApiError.HttpApiDecodeError
) => {
  if (HttpMethod.hasBody(request.method) && !isJson(request)) return unsupported
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
    // the platform would also decode form and multipart bodies into the payload; the contract is JSON only
    if (carriesBody(request) && !isJson(request)) return yield* unsupported
    const buffered = isChunked(request) ? yield* bufferChunked(request) : request
    // the platform types the inner app as infallible, but it fails with the API's declared errors (passed on
    // unchanged) and with the platform's decode and routing errors (mapped here)
    const inner: Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      MappedError,
      HttpServerRequest.HttpServerRequest
    > = app
    return yield* inner.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, buffered),
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
          if (!isJson(request)) return Effect.fail(unsupported)
          return Effect.fail(new ValidationError({ field: "body", message: "the body is not valid JSON" }))
        }
        return Effect.die(defect)
      })
    )
  }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)))
)
