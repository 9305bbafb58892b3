import { Cause, Effect } from "effect"
import { HttpMethod, HttpServerError, type HttpServerRequest } from "effect/http"
import { HttpApiError } from "effect/http-api"
import { SqlError } from "effect/sql"
import { firstIssue, ValidationError } from "../orders/ValidationError.js"
import { bodyTooLarge, isChunked } from "./ChunkedBody.js"
import { answerDefect } from "./Defects.js"
import {
  type InternalError,
  type NotFound,
  PayloadTooLarge,
  type ServiceUnavailable,
  UnsupportedMediaType
} from "./HttpErrors.js"
import { JsonTooDeep } from "./JsonDepth.js"

export const maxBodyBytes = 64 * 1024

/** The tagged errors a failed request may be answered with, whichever endpoint (or none) it reached. */
export type MappedError =
  ValidationError | NotFound | PayloadTooLarge | UnsupportedMediaType | ServiceUnavailable | InternalError

export const tooLarge = new PayloadTooLarge({
  message: `the request body exceeds ${maxBodyBytes} bytes`,
  limit: maxBodyBytes
})

export const unsupported = new UnsupportedMediaType({ message: "send the body as application/json" })

const notJson = new ValidationError({ field: "body", message: "the body is not valid JSON" })

export const isJson = (request: HttpServerRequest.HttpServerRequest) => {
  const type = request.headers["content-type"]
  return type === undefined || /^application\/(.+\+)?json\b/i.test(type)
}

export const carriesBody = (request: HttpServerRequest.HttpServerRequest) =>
  HttpMethod.hasBody(request.method) &&
  (Number(request.headers["content-length"] ?? "0") > 0 || isChunked(request))

/** The platform's own message for a JSON payload that does not parse. */
const unparseable = "Expected a valid JSON body"

/** A request part that failed its schema: the first issue names the field (a dotted path, "body" for the whole). */
const fromSchemaError = (
  request: HttpServerRequest.HttpServerRequest,
  error: HttpApiError.HttpApiSchemaError
) => {
  if (HttpMethod.hasBody(request.method) && !isJson(request)) return unsupported
  const issue = firstIssue(error.cause.issue)
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
export const mapCause = <E>(
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
