import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, References } from "effect"
import { inspect } from "node:util"
import { makeBarakatFactory } from "../../src/providers/Barakat.js"
import type { ProviderClient, ProviderError, ProviderOrder } from "../../src/providers/Provider.js"
import { makeZnetFactory } from "../../src/providers/Znet.js"
import { BarakatSimulator } from "../support/BarakatSimulator.js"
import { echoPlacements } from "../support/ProviderEcho.js"
import { ZnetSimulator } from "../support/ZnetSimulator.js"
import { barakatTokens, leaks, znetCredentials } from "./SecretForms.js"

const fast = { sendTimeout: "2 seconds", checkTimeout: "2 seconds", spacing: "1 millis" } as const

const order = (mapping: ProviderOrder["mapping"]): ProviderOrder => ({
  orderId: "6f1c2d3e-0000-4000-8000-000000000001",
  reference: "250101000000000001",
  providerOrderId: undefined,
  quantity: 1,
  playerId: "5123456789",
  extra: undefined,
  mapping
})

/** Every call of the port, with what each answered (errors and their causes included), and the log lines. */
const everyAnswer = (client: ProviderClient, mapping: ProviderOrder["mapping"]) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const capture = Logger.make(({ message, fiber, cause }) => {
      lines.push(
        inspect([message, Object.entries(fiber.getRef(References.CurrentLogAnnotations)), cause], {
          depth: 12
        })
      )
    })
    const calls: ReadonlyArray<Effect.Effect<unknown, ProviderError>> = [
      client.place(order(mapping)),
      client.check(order(mapping)),
      client.balance,
      ...(client.catalogue === undefined ? [] : [client.catalogue])
    ]
    const answers = yield* Effect.forEach(calls, (call) => Effect.result(call)).pipe(
      Effect.provide(Logger.layer([capture, Logger.tracerLogger])),
      Effect.provideService(References.MinimumLogLevel, "Debug")
    )
    return [
      ...answers.map((answer) => `${inspect(answer, { depth: 12 })} ${JSON.stringify(answer)}`),
      ...lines
    ]
  })

/** The simulator's own answer, read by hand: it does echo the credentials (so the search below can fail). */
const rawEcho = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { headers })
    return `${response.headers.get("content-type") ?? ""} ${await response.text()}`
  })

const cases = <A>(credentials: ReadonlyArray<A>) =>
  credentials.flatMap((credential) => echoPlacements.map((where) => ({ credential, where })))

describe("a provider echoing our credentials: no form of them leaves the adapter", () => {
  it.live.each(cases(znetCredentials))(
    "Znet echoing in the $where: $credential.kod / $credential.sifre",
    ({ credential: { kod, sifre }, where }) =>
      Effect.gen(function* () {
        const sim = yield* ZnetSimulator.start({ kod, sifre, echo: where })
        const raw = yield* rawEcho(
          `${sim.baseUrl}/servis/bakiye_kontrol.php?${new URLSearchParams({ kod, sifre })}`
        )
        assert.isNotEmpty(leaks("the raw echo", [raw], [kod, sifre]), `the simulator echoes in the ${where}`)

        const client = yield* (yield* makeZnetFactory(fast))({
          id: "znet-echo",
          kind: "znet",
          name: "Znet",
          base_url: sim.baseUrl,
          credentials: { kod, sifre },
          options: {},
          enabled: true
        })
        const seen = yield* everyAnswer(client, { sku: "2", meta: { oyun: "1", kupur: "325" } })
        assert.isAtLeast((yield* sim.requests).length, 4)
        assert.deepStrictEqual(leaks("the adapter's answers and logs", seen, [kod, sifre]), [])
      }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )

  it.live.each(cases(barakatTokens))("Barakat echoing in the $where: $credential", ({ credential, where }) =>
    Effect.gen(function* () {
      const sim = yield* BarakatSimulator.start({ token: credential, echo: where })
      const raw = yield* rawEcho(`${sim.baseUrl}/client/api/profile`, { "api-token": credential })
      assert.isNotEmpty(leaks("the raw echo", [raw], [credential]), `the simulator echoes in the ${where}`)

      const client = yield* (yield* makeBarakatFactory({ ...fast, batchWindow: "1 millis" }))({
        id: "barakat-echo",
        kind: "barakat",
        name: "Barakat",
        base_url: sim.baseUrl,
        credentials: { apiToken: credential },
        options: {},
        enabled: true
      })
      const seen = yield* everyAnswer(client, { sku: "101" })
      assert.isAtLeast((yield* sim.requests).length, 4)
      assert.deepStrictEqual(leaks("the adapter's answers and logs", seen, [credential]), [])
    }).pipe(Effect.provide(NodeHttpClient.layerNodeHttp))
  )
})
