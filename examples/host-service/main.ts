import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer } from "effect"
import { AccountId, layer } from "tawsil"
import { createServer } from "node:http"
import { HostServiceLive } from "./HostService.js"
import { ShopConfig } from "./Shop.js"
import { HostProviderKinds } from "./Vouchers.js"

// The host picks its Postgres and HTTP client; Tawsil runs its migrations on that Postgres, calls its providers
// through that client and keeps its engine in this process.
const HostDatabaseLive = PgClient.layerConfig({ url: Config.Redacted("HOST_DATABASE_URL") })

const ShopConfigLive = Layer.effect(
  ShopConfig,
  Effect.map(
    Config.all({ accountId: Config.String("SHOP_TAWSIL_ACCOUNT"), packageId: Config.String("SHOP_PACKAGE") }),
    ({ accountId, packageId }) => ({ accountId: AccountId.make(accountId), packageId })
  )
)

const MainLive = Layer.unwrap(
  Effect.map(Config.Redacted("TAWSIL_ADMIN_TOKEN"), (token) => HostServiceLive(token))
).pipe(
  Layer.provide(NodeHttpServer.layer(createServer, { port: 3100 })),
  Layer.provide(ShopConfigLive),
  // Tawsil with the shop's own provider kind (`vouchers`) beside the built-in ones, on the engine's defaults
  Layer.provide(layer({ providerKinds: HostProviderKinds })),
  Layer.provide(Layer.mergeAll(HostDatabaseLive, NodeHttpClient.layerNodeHttp))
)

Layer.launch(MainLive).pipe(NodeRuntime.runMain)
