import { Effect, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import { chainHeader, parseChain, TawsilInstance } from "../../providers/TawsilChain.js"
import { BarakatCode, ClientApiError } from "./BarakatAnswer.js"

const loopDetected = (message: string) =>
  new ClientApiError({ code: BarakatCode.loopDetected, message: `LOOP_DETECTED: ${message}` })

/**
 * The chain a newOrder arrived with (`X-Tawsil-Chain`, none for a caller that is not a Tawsil): refused before
 * anything is charged when it already holds this instance or is longer than `TAWSIL_CHAIN_MAX`.
 */
export const makeChainGuard = Effect.gen(function* () {
  const instance = yield* TawsilInstance
  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const chain = parseChain(request.headers[chainHeader])
    if (Option.isNone(chain)) {
      return yield* new ClientApiError({
        code: BarakatCode.invalidParam,
        message: "Invalid X-Tawsil-Chain header"
      })
    }
    const ids = chain.value
    const refusal = ids.includes(instance.id)
      ? loopDetected(`this Tawsil (${instance.id}) is already in the chain ${ids.join(" → ")}`)
      : ids.length > instance.chainMax
        ? loopDetected(`a chain of ${ids.length} instances is longer than ${instance.chainMax}`)
        : undefined
    if (refusal === undefined) return ids
    yield* Effect.logWarning("newOrder refused: chain loop").pipe(
      Effect.annotateLogs({ module: "ClientApi", chain: ids.join(","), instanceId: instance.id })
    )
    return yield* refusal
  })
})
