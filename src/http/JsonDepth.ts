import { Data, Effect } from "effect"
import { HttpServerError, type HttpServerRequest } from "effect/http"

/** No request of the contract nests deeper than a few levels; 32 leaves room and keeps every recursion shallow. */
export const maxJsonDepth = 32

/** The cause of the body-decode failure for a body nested deeper than `maxJsonDepth`; answered as a 400. */
export class JsonTooDeep extends Data.TaggedError("JsonTooDeep")<{ readonly message: string }> {}

/** Whether a JSON text nests arrays and objects deeper than `max`: one pass over the text, strings skipped. */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/**
 * The request with a `text` (and `json`) that refuses a body nested deeper than `maxJsonDepth` before it is
 * parsed: the schema decoder and its error messages recurse over the parsed value, and ~3,000 levels overflow the
 * stack. The HttpApi reads JSON payloads through `text`. The body is still read only when the handler asks for it
 * (after authentication).
 */
export const limitJsonDepth = (
  request: HttpServerRequest.HttpServerRequest
): HttpServerRequest.HttpServerRequest => {
  const tooDeep = () =>
    new HttpServerError.HttpServerError({
      reason: new HttpServerError.RequestParseError({
        request,
        cause: new JsonTooDeep({ message: `the body nests deeper than ${maxJsonDepth} levels` })
      })
    })
  const text = Effect.suspend(() =>
    Effect.flatMap(request.text, (text) =>
      nestsDeeperThan(text, maxJsonDepth) ? Effect.fail(tooDeep()) : Effect.succeed(text)
    )
  )
  const json = Effect.flatMap(text, () => request.json)
  return new Proxy(request, {
    get: (target, key) => (key === "text" ? text : key === "json" ? json : Reflect.get(target, key, target))
  })
}
