import { Context, Effect, Option } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"
import { randomUUID } from "node:crypto"

/** The id of the request being answered: the caller's `X-Request-Id` when well-formed, else a generated one. */
export class CurrentRequestId extends Context.Service<CurrentRequestId, string>()(
  "tawsil/http/CurrentRequestId"
) {}

const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/

export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && wellFormed.test(header) ? header : randomUUID()

/** The current request's id, or a fresh one outside `withRequestId` (a host mounting only Tawsil's groups). */
export const currentRequestId = Effect.map(Effect.serviceOption(CurrentRequestId), (id) =>
  Option.isSome(id) ? id.value : requestIdFrom(undefined)
)

/**
 * Gives every request an id: answered in the `X-Request-Id` header (error answers included), annotated on every
 * log line written while the request runs and on its span.
 */
export const withRequestId = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  Exclude<R, CurrentRequestId> | HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const id = requestIdFrom(request.headers["x-request-id"])
    yield* HttpEffect.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, "x-request-id", id))
    )
    yield* Effect.annotateCurrentSpan("http.request_id", id)
    return yield* app.pipe(Effect.provideService(CurrentRequestId, id), Effect.annotateLogs("requestId", id))
  })
