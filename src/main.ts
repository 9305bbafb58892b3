import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import {
  Cause,
  Config,
  Console,
  Duration,
  Effect,
  Exit,
  Layer,
  LogLevel,
  Option,
  References,
  Schema,
  SchemaTransformation
} from "effect"
import { HttpServer } from "effect/http"
import { NetAddress } from "effect/net"
import { createServer } from "node:http"
import { DatabaseLive } from "./db/Database.js"
import { demoKeyFile, seedDemo } from "./Demo.js"
import { AdminToken } from "./http/AdminToken.js"
import { layer as tawsilLayer } from "./embed/TawsilLayer.js"
import { HttpLive } from "./http/Server.js"
import { DispatchConfig } from "./dispatch/DispatchConfig.js"
import { LoggingLive } from "./observability/Logging.js"
import { TracingLive } from "./observability/Tracing.js"
import { demoEnabled, TawsilConfig } from "./TawsilConfig.js"

const ServerLive = Layer.unwrap(
  Effect.map(TawsilConfig, (config) => NodeHttpServer.layer(createServer, { port: config.port }))
)

/** Seeds the demo data when enabled and tells a new user where to go. */
const WelcomeLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const config = yield* TawsilConfig
    const address = (yield* HttpServer.HttpServer).address
    const base = NetAddress.isInetAddress(address) ? `http://localhost:${address.port}` : "(unix socket)"
    const demo = demoEnabled(config) ? yield* seedDemo : Option.none()
    const lines = [`Tawsil is listening on ${base}`, `  API docs: ${base}/docs`]
    if (Option.isSome(demo) && Option.isSome(demo.value.apiKey)) {
      const apiKey = demo.value.apiKey.value
      lines.push(
        `  Demo reseller key: ${apiKey}`,
        "  Create an order:",
        `    curl -s -X POST ${base}/v1/orders -H 'Authorization: Bearer ${apiKey}' ` +
          `-H 'Content-Type: application/json' -d '{"packageId":"${demo.value.packageId}","playerId":"5551234"}'`
      )
    } else if (Option.isSome(demo)) {
      lines.push(
        `  Demo reseller key: not in ${demoKeyFile(config.dataDir)} (kept by the node that seeded it)`
      )
    }
    yield* Console.log(`\n${lines.join("\n")}\n`)
  })
)

/**
 * The last resort behind the bounded shutdown: once SIGTERM/SIGINT has arrived, the process exits within the drain
 * grace + 5 s whatever still hangs (the embedded Postgres's supervisor kills it on exit).
 */
const ShutdownBoundLive = Layer.effectDiscard(
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

/** A level name in any case, as v3 read it: Trace, Debug, Info, Warn (or Warning), Error, Fatal, Off (or None), All. */
const LogLevelName = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Literals(LogLevel.values),
    SchemaTransformation.transform({
      decode: (name) => {
        const lower = name.trim().toLowerCase()
        const level = lower === "off" ? "none" : lower === "warning" ? "warn" : lower
        return (level.charAt(0).toUpperCase() + level.slice(1)) as LogLevel.LogLevel
      },
      encode: (level) => level
    })
  )
)

const LogLevelLive = Layer.unwrap(
  Effect.map(Config.schema(LogLevelName, "TAWSIL_LOG_LEVEL").pipe(Config.withDefault("Info")), (level) =>
    Layer.succeed(References.MinimumLogLevel, level)
  )
)

const InfraLive = DatabaseLive.pipe(Layer.provideMerge(TawsilConfig.layerFromEnv))

const MainLive = Layer.mergeAll(HttpLive, WelcomeLive, ShutdownBoundLive).pipe(
  Layer.provide(ServerLive),
  Layer.provide(Layer.mergeAll(tawsilLayer({ dispatch: "environment" }), AdminToken.layerFromConfig)),
  Layer.provide(NodeHttpClient.layerNodeHttp),
  Layer.provide(InfraLive),
  Layer.provide(TracingLive),
  Layer.provide(Layer.mergeAll(LogLevelLive, LoggingLive))
)

// a shutdown by SIGTERM/SIGINT interrupts the program: that is a clean exit (0), as on Effect 3, not 130
Layer.launch(MainLive).pipe(
  NodeRuntime.runMain({
    teardown: (exit, onExit) => onExit(Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
  })
)
