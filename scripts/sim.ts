import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { BarakatSimulator } from "../test/support/BarakatSimulator.js"
import { ZnetSimulator } from "../test/support/ZnetSimulator.js"

/** `npm run sim -- znet|barakat [--port N]`: one wire simulator in the foreground, until Ctrl-C. */
const usage = "usage: npm run sim -- znet|barakat [--port N]"

const args = process.argv.slice(2)
const kind = args[0]
const portAt = args.indexOf("--port")
const port = portAt === -1 ? 0 : Number(args[portAt + 1])

const znet = Effect.gen(function* () {
  const sim = yield* ZnetSimulator.start({ port })
  yield* Console.log(`Znet simulator at ${sim.baseUrl}`)
  yield* Console.log(
    `provider: { "kind": "znet", "name": "Znet (simulated)", "baseUrl": "${sim.baseUrl}", "credentials": { "kod": "${sim.kod}", "sifre": "${sim.sifre}" } }`
  )
  yield* Console.log(`mapping:  { "sku": "2", "meta": { "oyun": "1", "kupur": "325" } }`)
})

const barakat = Effect.gen(function* () {
  const sim = yield* BarakatSimulator.start({ port })
  yield* Console.log(`Barakat simulator at ${sim.baseUrl}`)
  yield* Console.log(
    `provider: { "kind": "barakat", "name": "Barakat (simulated)", "baseUrl": "${sim.baseUrl}", "credentials": { "apiToken": "${sim.token}" } }`
  )
  yield* Console.log(`mapping:  { "sku": "101" }`)
})

if ((kind !== "znet" && kind !== "barakat") || !(Number.isInteger(port) && port >= 0 && port < 65536)) {
  console.error(usage)
  process.exitCode = 2
} else {
  NodeRuntime.runMain(Effect.scoped(Effect.andThen(kind === "znet" ? znet : barakat, Effect.never)))
}
