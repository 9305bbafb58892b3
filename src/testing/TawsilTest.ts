// The testing kit's verbs, imported as one namespace: `import { TawsilTest } from "tawsil/testing"`.
export { layer, layerWithSql, testDispatchSettings, type TestLayerOptions } from "./TestLayer.js"
export { advance, advancePolls, settled } from "./EngineTime.js"
export { product, reseller, scriptedProvider, shop, type ShopOptions } from "./Fixtures.js"
