import type { Schema } from "effect"

/** Decodes the options an operator sends for a kind; what it encodes back is stored (a JSON object). */
export type ProviderOptionsSchema = Schema.Codec<unknown, { readonly [key: string]: unknown }>

/** Decodes a kind's credentials; what it encodes back is stored, write-only (strings by name). */
export type ProviderCredentialsSchema = Schema.Codec<unknown, { readonly [key: string]: string }>

/**
 * What a provider row of a kind may carry, checked as it is saved (`ProviderConfigs.put`, the admin API).
 * Anything left out: any JSON object as options, strings by name as credentials, an optional `baseUrl`.
 */
export interface ProviderKindSchemas {
  readonly options?: ProviderOptionsSchema | undefined
  readonly credentials?: ProviderCredentialsSchema | undefined
  /** `ignored`: a `baseUrl` sent is not stored (a kind that reaches no URL of an operator's choosing) */
  readonly baseUrl?: "required" | "optional" | "ignored" | undefined
}
