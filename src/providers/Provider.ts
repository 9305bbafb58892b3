import { Data, type Effect } from "effect"
import type { Mapping } from "../orders/Package.js"

/** What an adapter needs to place or check one order. `reference` is the same on every attempt, for ever. */
export interface ProviderOrder {
  readonly orderId: string
  readonly reference: string
  readonly providerOrderId: string | undefined
  readonly quantity: number
  readonly playerId: string
  readonly extra: string | undefined
  readonly mapping: Mapping | undefined
  /** the Tawsil instances the order passed through before this one (src/providers/TawsilChain.ts) */
  readonly chain?: ReadonlyArray<string> | undefined
}

export type PlaceResult = Data.TaggedEnum<{
  /** The provider took the order; only a later status check settles it. */
  Accepted: {
    readonly providerOrderId?: string | undefined
    readonly cost?: string | undefined
    readonly message: string
  }
  /** Settled in the same call (our own code inventory): the PIN is in hand. */
  Delivered: { readonly pin: string; readonly message: string }
}>
export const PlaceResult = Data.taggedEnum<PlaceResult>()

export type CheckResult = Data.TaggedEnum<{
  Pending: { readonly message: string }
  Succeeded: { readonly pin: string | undefined; readonly message: string }
  Failed: { readonly message: string }
  /** The provider has never seen this reference: a re-send with the same reference is safe. */
  NotFound: { readonly message: string }
  /**
   * A Tawsil partner holds the order for an operator because its chain loops (it refused to pass it on with
   * LOOP_DETECTED): it will not settle by itself, so the order goes to `manual` here too, money held.
   */
  Looped: { readonly message: string }
}>
export const CheckResult = Data.taggedEnum<CheckResult>()

/** The request was not accepted (refused connection, DNS, timeout before writing, 429): safe to retry as is. */
export class ProviderTransient extends Data.TaggedError("ProviderTransient")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The request may or may not have been accepted (timeout or reset after writing, 5xx, garbage): check first. */
export class ProviderAmbiguous extends Data.TaggedError("ProviderAmbiguous")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The provider cannot serve now (out of balance, maintenance, product unavailable): try the fallback. */
export class ProviderUnavailable extends Data.TaggedError("ProviderUnavailable")<{
  readonly message: string
}> {}

/** Our configuration is wrong (credentials, IP whitelist, mapping, SKU): try the fallback, and tell an operator. */
export class ProviderMisconfigured extends Data.TaggedError("ProviderMisconfigured")<{
  readonly message: string
  /** a Tawsil partner refused the order's chain (LOOP_DETECTED): if no fallback serves it, manual says so */
  readonly loop?: boolean
}> {}

/** The provider refused this order (invalid player id, quantity not allowed): the order fails and is refunded. */
export class ProviderRejected extends Data.TaggedError("ProviderRejected")<{ readonly message: string }> {}

export type ProviderError =
  ProviderTransient | ProviderAmbiguous | ProviderUnavailable | ProviderMisconfigured | ProviderRejected

export interface ProviderBalance {
  readonly balance: string
  readonly currency: string | undefined
}

/** One product a provider sells, as its catalogue lists it: `sku` and `meta` are what a package mapping needs. */
export interface CatalogueItem {
  readonly sku: string
  readonly name: string
  readonly price: string | undefined
  readonly available: boolean | undefined
  readonly params: ReadonlyArray<string> | undefined
  readonly meta: { readonly oyun: string; readonly kupur: string } | undefined
}

/** The port every provider adapter implements. */
export interface ProviderClient {
  readonly place: (order: ProviderOrder) => Effect.Effect<PlaceResult, ProviderError>
  readonly check: (order: ProviderOrder) => Effect.Effect<CheckResult, ProviderError>
  readonly balance: Effect.Effect<ProviderBalance, ProviderError>
  /** The provider's product list, for operators writing package mappings; only the wire providers have one. */
  readonly catalogue?: Effect.Effect<ReadonlyArray<CatalogueItem>, ProviderError>
}
