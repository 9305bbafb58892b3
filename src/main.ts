import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer } from "effect"
import { createServer } from "node:http"
import { DatabaseLive } from "./db/Database.js"
import { schemaLayer, schemaNameFromEnv } from "./db/TawsilSchema.js"
import { layer as tawsilLayer } from "./embed/TawsilLayer.js"
import { AdminToken } from "./http/AdminToken.js"
import { HttpLive } from "./http/Server.js"
import { LogLevelLive } from "./launch/LogLevel.js"
import { OtherProcessesLive, primaryGone, sharesPort } from "./launch/Processes.js"
import { ShutdownBoundLive } from "./launch/ShutdownBound.js"
import { WelcomeLive } from "./launch/Welcome.js"
import { LoggingLive } from "./observability/Logging.js"
import { TracingLive } from "./observability/Tracing.js"
import { TawsilConfig } from "./TawsilConfig.js"

// The standalone service: Tawsil's layer (src/embed/TawsilLayer.ts) on its own Postgres, HTTP server and provider
// HTTP client, in `TAWSIL_PROCESSES` processes (src/launch/Processes.ts).

const ServerLive = Layer.unwrap(
  Effect.gen(function* () {
    const { port } = yield* TawsilConfig
    return NodeHttpServer.layer(createServer, { port, reusePort: yield* sharesPort })
  })
)

// the Postgres schema of Tawsil's tables (`TAWSIL_SCHEMA`): for the database's own migrations and role search_path
// as for Tawsil's layer
const MainLive = Layer.unwrap(
  Effect.gen(function* () {
    const schema = yield* schemaNameFromEnv
    const InfraLive = DatabaseLive.pipe(
      Layer.provideMerge(TawsilConfig.layerFromEnv),
      Layer.provide(schemaLayer(schema, "TAWSIL_SCHEMA"))
    )
    return Layer.mergeAll(HttpLive, WelcomeLive, ShutdownBoundLive, OtherProcessesLive).pipe(
      Layer.provide(ServerLive),
      Layer.provide(
        Layer.mergeAll(
          tawsilLayer({ dispatch: "environment", orderChanges: "environment", schema }),
          AdminToken.layerFromConfig
        )
      ),
      Layer.provide(NodeHttpClient.layerNodeHttp),
      Layer.provideMerge(InfraLive)
    )
  })
).pipe(Layer.provide(TracingLive), Layer.provide(Layer.mergeAll(LogLevelLive, LoggingLive)))

// a shutdown by SIGTERM/SIGINT interrupts the program: that is a clean exit (0), as on Effect 3, not 130
Effect.raceFirst(Layer.launch(MainLive), primaryGone).pipe(
  NodeRuntime.runMain({
    teardown: (exit, onExit) => onExit(Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
  })
)
