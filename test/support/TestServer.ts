import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { TawsilApi } from "../../src/http/Api.js"
import { AdminToken } from "../../src/http/AdminToken.js"
import { servicesLayer } from "../../src/embed/TawsilLayer.js"
import { HttpLive } from "../../src/http/Server.js"
import { TestDatabase } from "./TestDatabase.js"

export const testAdminToken = "test-admin-token"

/**
 * The real HTTP server on a random loopback port, over a fresh database. Also provides an HttpClient aimed at
 * the server (relative URLs), the domain services and the SqlClient, so tests can look behind the API.
 */
export const TestServerLive = HttpLive.pipe(
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(
    Layer.mergeAll(
      servicesLayer().pipe(Layer.provide(NodeHttpClient.layerNodeHttp)),
      AdminToken.layer(Redacted.make(testAdminToken))
    )
  ),
  Layer.provideMerge(TestDatabase)
)

/** A typed client of the API, authenticated with `token` (or with no Authorization header at all). */
export const apiClient = (token?: string) =>
  HttpApiClient.make(TawsilApi, {
    transformClient: (client) =>
      token === undefined ? client : HttpClient.mapRequest(client, HttpClientRequest.bearerToken(token))
  })

export const adminClient = apiClient(testAdminToken)

/**
 * Creates a funded reseller (overdraft limit 0 unless given) through the admin API; returns its id and a client
 * using its key.
 */
export const resellerWithBalance = (
  balance: string,
  options: { currency?: string; name?: string; overdraftLimit?: string } = {}
) =>
  Effect.gen(function* () {
    const admin = yield* adminClient
    const created = yield* admin.admin.createAccount({
      payload: {
        name: options.name ?? "Reseller",
        currency: options.currency ?? "USD",
        overdraftLimit: options.overdraftLimit ?? "0.00"
      }
    })
    if (balance !== "0.00") {
      yield* admin.admin.credit({ params: { id: created.account.id }, payload: { amount: balance } })
    }
    return { accountId: created.account.id, apiKey: created.apiKey, client: yield* apiClient(created.apiKey) }
  })

/** A simulator provider and a package routed to it, through the admin API. */
export const simulatorPackageViaApi = (id: string, price: string, options: { currency?: string } = {}) =>
  Effect.gen(function* () {
    const admin = yield* adminClient
    yield* admin.admin.putProvider({
      params: { id: "sim" },
      payload: { kind: "simulator", name: "Simulator", enabled: true, options: {} }
    })
    return yield* admin.admin.putPackage({
      params: { id },
      payload: {
        name: `Package ${id}`,
        price,
        currency: options.currency ?? "USD",
        enabled: true,
        route: { mode: "auto", primary: "sim" },
        mappings: {}
      }
    })
  })
