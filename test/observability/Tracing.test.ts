import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tracesUrl, TracingLive } from "../../src/observability/Tracing.js"
import { resellerWithBalance, simulatorPackageViaApi, TestServerLive } from "../support/TestServer.js"

interface Received {
  readonly path: string
  readonly contentType: string
  readonly body: string
}

/** A tiny OTLP/HTTP collector on loopback: records every POST and answers 200 `{}`. */
const otlpReceiver = Effect.acquireRelease(
  Effect.callback<{ readonly port: number; readonly received: Array<Received>; readonly close: () => void }>(
    (resume) => {
      const received: Array<Received> = []
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({
            path: request.url ?? "",
            contentType: request.headers["content-type"] ?? "",
            body: Buffer.concat(chunks).toString("utf8")
          })
          response.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      const close = () => {
        server.closeAllConnections()
        server.close()
      }
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: (server.address() as AddressInfo).port, received, close }))
      )
    }
  ),
  ({ close }) => Effect.sync(close)
)

const withEndpoint = (port: number) =>
  ConfigProvider.layer(
    ConfigProvider.fromUnknown({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` })
  )

describe("OpenTelemetry tracing", () => {
  it.effect("exports the spans of an order's creation over OTLP/HTTP, flushed when the layer closes", () =>
    Effect.gen(function* () {
      const receiver = yield* otlpReceiver
      const orderId = yield* Effect.gen(function* () {
        yield* simulatorPackageViaApi("pubg", "10.00")
        const { client } = yield* resellerWithBalance("10.00")
        const order = yield* client.orders.create({
          payload: { packageId: "pubg", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        yield* Effect.void.pipe(Effect.withSpan("Tracing.test", { attributes: { marker: "tracing-test" } }))
        return order.id
      }).pipe(
        Effect.provide(
          TestServerLive.pipe(
            // provideMerge: the tracer is a service in Effect 4, and the test's own span must use it too
            Layer.provideMerge(TracingLive),
            Layer.provide(withEndpoint(receiver.port))
          )
        ),
        Effect.scoped
      )

      const traces = receiver.received.filter((r) => r.path === "/v1/traces")
      assert.isAbove(traces.length, 0, "the collector got spans")
      assert.isTrue(traces.every((r) => r.contentType.startsWith("application/json")))
      const text = traces.map((r) => r.body).join("\n")
      assert.include(text, "Tracing.test")
      assert.include(text, "tracing-test")
      assert.include(text, "http.server POST", "the request's span")
      assert.include(text, "OrderIntake.writeBatch", "the creation's transaction")
      assert.include(text, orderId, "the request's span carries the order id")
      assert.include(text, '"stringValue":"tawsil"', "service.name")
      assert.notInclude(text, "Bearer ", "no Authorization header in any span")
    })
  )

  it.effect("without an endpoint there is nothing to export; a traces endpoint overrides the base one", () =>
    Effect.gen(function* () {
      const none = { endpoint: Option.none(), tracesEndpoint: Option.none(), serviceName: "tawsil" }
      assert.isTrue(Option.isNone(tracesUrl(none)))
      assert.deepStrictEqual(
        tracesUrl({ ...none, endpoint: Option.some("http://collector:4318/") }),
        Option.some("http://collector:4318/v1/traces")
      )
      assert.deepStrictEqual(
        tracesUrl({
          ...none,
          endpoint: Option.some("http://collector:4318"),
          tracesEndpoint: Option.some("http://other:4318/custom")
        }),
        Option.some("http://other:4318/custom")
      )
      // the layer itself builds to nothing, and spans still work in process
      yield* Effect.void.pipe(
        Effect.withSpan("Tracing.noop"),
        Effect.provide(TracingLive.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({})))))
      )
    })
  )
})
