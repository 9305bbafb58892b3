import { Console, Effect, Layer, Option } from "effect"
import { HttpServer } from "effect/http"
import { NetAddress } from "effect/net"
import { demoKeyFile, seedDemo } from "./Demo.js"
import { demoEnabled, TawsilConfig } from "../TawsilConfig.js"
import { processIndex } from "./Processes.js"

/** Seeds the demo data when enabled and tells a new user where to go (the primary process only). */
export const WelcomeLive = Layer.effectDiscard(
  Effect.gen(function* () {
    if ((yield* processIndex) > 0) return
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
