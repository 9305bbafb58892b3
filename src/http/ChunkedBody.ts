import { Effect, Option, Stream } from "effect"
import { HttpMethod, HttpServerRequest } from "effect/http"

/** What a body past the limit fails with; the error mapping answers 413 for it. */
export const bodyTooLarge = new Error("maxBytes exceeded")

export const isChunked = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers["content-length"] === undefined && request.headers["transfer-encoding"] !== undefined

/** The whole body, or none when it passes `maxBytes`; past the limit the rest is drained, not kept. */
const readBounded = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  Effect.gen(function* () {
    const kept: Array<Uint8Array> = []
    let size = 0
    yield* Stream.runForEach(request.stream, (chunk) =>
      Effect.sync(() => {
        size += chunk.length
        if (size <= maxBytes) kept.push(chunk)
      })
    ).pipe(Effect.orDie)
    return size > maxBytes ? Option.none() : Option.some(Buffer.concat(kept))
  })

/**
 * A request whose chunked body is read by Tawsil rather than by the platform, which on passing its limit destroys
 * the request and with it the connection, so no 413 could be answered. Nothing is read until the handler asks
 * for the body, i.e. after authentication: an unauthenticated caller cannot make us read a body to its end.
 */
export const deferChunkedBody = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  Effect.map(Effect.context<never>(), (context) => {
    if (!isChunked(request) || !HttpMethod.hasBody(request.method)) return request
    const runPromise = Effect.runPromiseWith(context)
    // highWaterMark 0: the stream does not pull before its first read
    const body = new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          runPromise(readBounded(request, maxBytes)).then(
            Option.match({
              onNone: () => controller.error(bodyTooLarge),
              onSome: (bytes) => {
                controller.enqueue(bytes)
                controller.close()
              }
            })
          )
      },
      { highWaterMark: 0 }
    )
    const { "transfer-encoding": _, ...headers } = request.headers
    return HttpServerRequest.fromWeb(
      new Request(`http://localhost${request.url}`, {
        method: request.method,
        headers,
        body,
        duplex: "half"
      } as RequestInit)
    )
  })
