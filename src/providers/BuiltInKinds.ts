import {
  BarakatCredentials,
  CodesOptions,
  NoCredentials,
  NoOptions,
  SimulatorOptions,
  ZnetCredentials,
  ZnetOptions
} from "./ProviderConfig.js"
import type { ProviderKindSchemas } from "./ProviderKindSchemas.js"

/** The built-in kinds' schemas (docs/api.md §4); their factories are in `Providers.ts`. */
export const builtInKindSchemas = {
  znet: { options: ZnetOptions, credentials: ZnetCredentials, baseUrl: "required" },
  barakat: { options: NoOptions, credentials: BarakatCredentials, baseUrl: "required" },
  codes: { options: CodesOptions, credentials: NoCredentials, baseUrl: "ignored" },
  simulator: { options: SimulatorOptions, credentials: NoCredentials, baseUrl: "ignored" }
} as const satisfies Readonly<Record<string, ProviderKindSchemas>>
