// The testing kit's verbs, imported as one namespace: `import { TawsilTest } from "tawsil/testing"`.
export { layer, layerWithSql, testDispatchSettings, type TestLayerOptions } from "./TestLayer.js"
export { advance, advancePolls, nextWakeUp, settled } from "./EngineTime.js"
export {
  awaitSettled,
  type AwaitSettledOptions,
  OrderNeedsOperator,
  OrderNotSettled
} from "./AwaitSettled.js"
export { crash, type CrashedNode, restart, type Takeover } from "./CrashRestart.js"
export { product, reseller, scriptedProvider, shop, type ShopOptions } from "./Fixtures.js"
