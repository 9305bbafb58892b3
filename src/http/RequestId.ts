import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Effect } from "effect"
import { randomUUID } from "node:crypto"

/** The id of the request being answered: the caller's `X-Request-Id` when well-formed, else a generated one. */
export class CurrentRequestId extends Context.Tag("tawsil/http/CurrentRequestId")<
  CurrentRequestId,
  string
>() {}

const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/

export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && wellFormed.test(header) ? header : randomUUID()

/** The current request's id, or a fresh one outside `withRequestId` (a host mounting only Tawsil's groups). */
export const currentRequestId = Effect.map(Effect.serviceOption(CurrentRequestId), (id) =>
  id._tag === "Some" ? id.value : requestIdFrom(undefined)
)

/**
 * Gives every request an id: answered in the `X-Request-Id` header (error answers included), annotated on every
 * log line written while the request runs and on its span.
 */
export const withRequestId = <E, R>(
  app: HttpApp.Default<E, R>
): HttpApp.Default<E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const id = requestIdFrom(request.headers["x-request-id"])
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, "x-request-id", id))
    )
    yield* Effect.annotateCurrentSpan("http.request_id", id)
    return yield* app.pipe(Effect.provideService(CurrentRequestId, id), Effect.annotateLogs("requestId", id))
  })
