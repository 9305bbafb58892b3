/**
 * The host as its tests build it, from the public entry points only ("tawsil", "tawsil/testing"): the host's HTTP
 * server on a loopback port, its `Shop`, a reseller account for the shop, and Tawsil on the test's database, with
 * its engine on the test's TestClock (build it inside the test: `Effect.provide`).
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import type { AccountId } from "tawsil"
import { TawsilTest } from "tawsil/testing"
import { HostApi } from "./HostApi.js"
import { HostServiceLive } from "./HostService.js"
import { Shop, ShopConfig } from "./Shop.js"
import { vouchersKind } from "./Vouchers.js"

export const adminToken = "host-test-admin-token"

/** The package the shop sells; each test routes it (`TawsilTest.product`, or the admin API). */
export const shopPackageId = "pubg-325"

/** The reseller account the shop buys with, as Tawsil's admin would have set it up. */
export class ShopAccount extends Context.Service<
  ShopAccount,
  { readonly accountId: AccountId; readonly apiKey: string }
>()("test/ShopAccount") {}

/** The shop's account holds 100.00. */
const ShopAccountLive = Layer.effectContext(
  Effect.map(TawsilTest.reseller("100.00"), ({ accountId, apiKey }) =>
    Context.make(ShopConfig, { accountId, packageId: shopPackageId }).pipe(
      Context.add(ShopAccount, { accountId, apiKey })
    )
  )
)

/** Tawsil with the testing kit's settings, clock and `scripted` kind, plus the shop's own `vouchers` kind. */
export const TawsilWithHostKinds = TawsilTest.layerWithSql({ providerKinds: { vouchers: vouchersKind } })

/**
 * The host service, its `Shop`, the shop's account, Tawsil and the database, all of them given to the test: e.g. `hostTestLayer(TawsilTest.layerWithSql(), TestPostgres)`.
 */
export const hostTestLayer = <TawsilOut, TawsilError, TawsilIn, DatabaseOut, DatabaseError, DatabaseIn>(
  tawsil: Layer.Layer<TawsilOut, TawsilError, TawsilIn>,
  database: Layer.Layer<DatabaseOut, DatabaseError, DatabaseIn>
) =>
  HostServiceLive(Redacted.make(adminToken)).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(Shop.layer),
    Layer.provideMerge(ShopAccountLive),
    Layer.provideMerge(tawsil),
    Layer.provideMerge(database)
  )

/** A typed client of the host's API on the test server, sending `token` (an API key, the admin token) if given. */
export const hostClient = (token?: string) =>
  HttpApiClient.make(HostApi, {
    transformClient: (client) =>
      token === undefined ? client : HttpClient.mapRequest(client, HttpClientRequest.bearerToken(token))
  })
