import type { ProviderOrder } from "./Provider.js"
import type { NewOrderJob } from "../orders/DispatchHandoff.js"

/** What the engine keeps of an order while it works on it: its route and what a provider is sent. */
export type RoutedJob = Pick<
  NewOrderJob,
  | "id"
  | "reference"
  | "provider_order_id"
  | "quantity"
  | "player_id"
  | "extra"
  | "mappings"
  | "route_override"
  | "route_mode"
  | "primary_provider"
  | "fallback_provider"
>

/**
 * The providers an order may go to, in order: the primary, then the fallback (one hop) when enabled; or only
 * the provider an operator re-dispatched it to.
 */
export const routeOf = (
  job: RoutedJob,
  settings: { readonly fallbackEnabled: boolean }
): ReadonlyArray<string> => {
  if (job.route_override !== null) return [job.route_override]
  if (job.route_mode === "manual" || job.primary_provider === null) return []
  if (!settings.fallbackEnabled || job.fallback_provider === null) return [job.primary_provider]
  return [job.primary_provider, job.fallback_provider]
}

export const providerOrder = (job: RoutedJob, providerId: string): ProviderOrder => ({
  orderId: job.id,
  reference: job.reference,
  providerOrderId: job.provider_order_id ?? undefined,
  quantity: job.quantity,
  playerId: job.player_id,
  extra: job.extra ?? undefined,
  mapping: job.mappings[providerId]
})
