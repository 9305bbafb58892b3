import { Duration, Effect, Layer } from "effect"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"

/**
 * The last resort behind the bounded shutdown: once SIGTERM/SIGINT has arrived, the process exits within the drain
 * grace + 5 s whatever still hangs (the embedded Postgres's supervisor kills it on exit).
 */
export const ShutdownBoundLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const { shutdownGrace } = yield* DispatchConfig
    const boundMillis = Duration.toMillis(shutdownGrace) + 4_500
    const arm = () => {
      setTimeout(() => {
        process.stderr.write(`shutdown took longer than ${boundMillis} ms; exiting now\n`)
        process.exit(1)
      }, boundMillis).unref()
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => process.once("SIGTERM", arm).once("SIGINT", arm)),
      () => Effect.sync(() => process.off("SIGTERM", arm).off("SIGINT", arm))
    )
  })
)
