/**
 * A provider kind a host service adds (`ProviderKinds`) with a schema for its options, wired as a host wires Tawsil
 * (`layer`, `httpLayer` from "tawsil"): configured through the admin API, checked by its schema, and serving the
 * orders routed to it through its factory.
 */
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Schema } from "effect"
import { HttpClientRequest } from "effect/http"
import {
  CheckResult,
  httpLayer,
  layer,
  PlaceResult,
  ProviderConfigs,
  ProviderKinds,
  ProviderMisconfigured,
  type ProviderRow
} from "tawsil"
import { eventually } from "../support/Eventually.js"
import { putProvider, refusals } from "../support/ProviderRequests.js"
import { send } from "../support/RawHttp.js"
import { TestDatabase } from "../support/TestDatabase.js"
import { adminClient, resellerWithBalance, testAdminToken } from "../support/TestServer.js"

const AcmeOptions = Schema.Struct({ region: Schema.Literals(["eu", "us"]) })
const decodeAcmeOptions = Schema.decodeUnknownEffect(AcmeOptions)

interface AcmeSend {
  readonly providerId: string
  readonly region: "eu" | "us"
  readonly orderId: string
}

/** The host's `acme` kind (options checked by `AcmeOptions`), which writes down every order it is sent. */
const acmeKind = (sent: Array<AcmeSend>) => ({
  options: AcmeOptions,
  reach: "local" as const,
  make: (row: ProviderRow) =>
    decodeAcmeOptions(row.options).pipe(
      Effect.mapError(() => new ProviderMisconfigured({ message: `provider ${row.id}: bad acme options` })),
      Effect.map(({ region }) => ({
        place: (order: { readonly orderId: string }) =>
          Effect.sync(() => sent.push({ providerId: row.id, region, orderId: order.orderId })).pipe(
            Effect.as(PlaceResult.Delivered({ pin: `ACME-${region}`, message: "delivered by acme" }))
          ),
        check: () => Effect.succeed(CheckResult.Pending({ message: "acme is working on it" })),
        balance: Effect.succeed({ balance: "100.00", currency: "USD" })
      }))
    )
})

/** Tawsil as a host embeds it, with `acme` and `plain` (a bare factory: no schema) added, over HTTP. */
const hostStack = (sent: Array<AcmeSend>) =>
  httpLayer(Redacted.make(testAdminToken)).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(
      layer({
        dispatch: { retryJitter: false, shutdownGrace: Duration.zero, leaseTtl: Duration.days(1) },
        providerKinds: ProviderKinds.layer({
          acme: acmeKind(sent),
          plain: (row) => acmeKind(sent).make({ ...row, options: { region: "us" } })
        })
      })
    ),
    Layer.provide(NodeHttpClient.layerNodeHttp),
    Layer.provideMerge(TestDatabase)
  )

describe("host provider kinds, configured through the public API", () => {
  it.effect("PUT an acme provider with valid options: 200, and listed (credentials never shown)", () =>
    Effect.gen(function* () {
      const answer = yield* putProvider("acme-eu", {
        kind: "acme",
        name: "Acme EU",
        credentials: { apiKey: "acme-secret-key" },
        options: { region: "eu" }
      })
      assert.strictEqual(answer.status, 200, answer.text)
      assert.notInclude(answer.text, "acme-secret-key")

      const admin = yield* adminClient
      const plain = yield* admin.admin.putProvider({
        params: { id: "plain" },
        payload: { kind: "plain", name: "Plain", enabled: true, options: { anything: [1, { deep: true }] } }
      })
      assert.deepStrictEqual(plain.options, { anything: [1, { deep: true }] }, "no schema: any JSON object")

      const listed = yield* admin.admin.listProviders()
      assert.deepStrictEqual(
        listed.map((p) => [p.id, p.kind, p.options, p.hasCredentials, p.enabled]),
        [
          ["acme-eu", "acme", { region: "eu" }, true, true],
          ["plain", "plain", { anything: [1, { deep: true }] }, false, true]
        ]
      )
      const raw = yield* send(
        HttpClientRequest.get("/v1/admin/providers").pipe(HttpClientRequest.bearerToken(testAdminToken))
      )
      assert.notInclude(raw.text, "acme-secret-key")
    }).pipe(Effect.provide(hostStack([])))
  )

  it.effect("a body its kind's schema refuses: 400 ValidationError naming the field, nothing stored", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, unknown, string]> = [
        [
          "acme, region not eu/us",
          { kind: "acme", name: "A", options: { region: "mars" } },
          "options.region"
        ],
        ["acme, no options", { kind: "acme", name: "A" }, "options.region"],
        ["acme, options not an object", { kind: "acme", name: "A", options: "eu" }, "options"],
        [
          "acme, a credential not a string",
          { kind: "acme", name: "A", options: { region: "eu" }, credentials: { apiKey: 7 } },
          "credentials.apiKey"
        ],
        [
          "acme, a baseUrl not http(s)",
          { kind: "acme", name: "A", options: { region: "eu" }, baseUrl: "ftp://x" },
          "baseUrl"
        ],
        ["an unregistered kind", { kind: "nope", name: "A", options: {} }, "kind"],
        [
          "znet without a baseUrl",
          { kind: "znet", name: "Z", credentials: { kod: "k", sifre: "s" } },
          "baseUrl"
        ],
        [
          "znet without sifre",
          { kind: "znet", name: "Z", baseUrl: "http://z.test", credentials: { kod: "k" } },
          "credentials.sifre"
        ],
        ["codes without a groupId", { kind: "codes", name: "C", options: {} }, "options.groupId"],
        [
          "simulator, an unknown outcome",
          { kind: "simulator", name: "S", options: { outcome: "maybe" } },
          "options.outcome"
        ]
      ]
      assert.deepStrictEqual(
        yield* refusals(cases),
        cases.map(([name, , field]) => [name, 400, field])
      )
      assert.deepStrictEqual(yield* Effect.flatMap(ProviderConfigs, (configs) => configs.list), [])

      // a host calling the service directly gets the same answer
      const refused = yield* Effect.flip(
        Effect.flatMap(ProviderConfigs, (configs) =>
          configs.put("acme-x", { kind: "acme", name: "X", options: { region: "asia" } })
        )
      )
      assert.deepStrictEqual([refused._tag, refused.field], ["ValidationError", "options.region"])
    }).pipe(Effect.provide(hostStack([])))
  )

  it.effect(
    "an order routed to an acme provider is sent through its factory, with the options it was given",
    () => {
      const sent: Array<AcmeSend> = []
      return Effect.gen(function* () {
        const admin = yield* adminClient
        yield* admin.admin.putProvider({
          params: { id: "acme-us" },
          payload: { kind: "acme", name: "Acme US", enabled: true, options: { region: "us" } }
        })
        yield* admin.admin.putPackage({
          params: { id: "gems" },
          payload: {
            name: "Gems",
            price: "5.00",
            currency: "USD",
            enabled: true,
            route: { mode: "auto", primary: "acme-us" },
            mappings: {}
          }
        })
        const { client } = yield* resellerWithBalance("20.00")
        const created = yield* client.orders.create({
          payload: { packageId: "gems", playerId: "5551234", quantity: 1 },
          headers: {}
        })
        const approved = yield* eventually(
          client.orders.get({ params: { id: created.id } }),
          (order) => order.status === "approved"
        )
        assert.strictEqual(approved.pin, "ACME-us")
        assert.deepStrictEqual(sent, [{ providerId: "acme-us", region: "us", orderId: created.id }])
      }).pipe(Effect.provide(hostStack(sent)))
    }
  )
})
