import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { Providers, DefaultFactoriesLive } from "../providers/Providers.js"
import { SimulatorProvider } from "../providers/Simulator.js"
import { Dispatcher, DispatchHandoffLive } from "./Dispatcher.js"

/**
 * The dispatch engine with the provider kinds this build knows. Provide it to the order services so new orders
 * reach it straight after their commit. Needs a SqlClient, a DispatchConfig and ProviderConfigs.
 */
export const EngineLive = DispatchHandoffLive.pipe(
  Layer.provideMerge(Dispatcher.layer),
  Layer.provide(Providers.layer),
  Layer.provideMerge(DefaultFactoriesLive),
  Layer.provideMerge(SimulatorProvider.layer),
  Layer.provide(NodeHttpClient.layerNodeHttp)
)
