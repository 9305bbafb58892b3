import type { ProviderOrder } from "./Provider.js"
import type { DispatchJob } from "../orders/DispatchJob.js"

/** What the engine keeps of an order while it works on it: its route and what a provider is sent. */
export type RoutedJob = Pick<
  DispatchJob,
  | "id"
  | "reference"
  | "providerOrderId"
  | "quantity"
  | "playerId"
  | "extra"
  | "mappings"
  | "routeOverride"
  | "route"
  | "chain"
>

/**
 * The providers an order may go to, in order: the primary, then the fallback (one hop) when enabled; or only
 * the provider an operator re-dispatched it to.
 */
export const routeOf = (
  job: RoutedJob,
  settings: { readonly fallbackEnabled: boolean }
): ReadonlyArray<string> => {
  if (job.routeOverride !== undefined) return [job.routeOverride]
  const { mode, primary, fallback } = job.route
  if (mode === "manual" || primary === undefined) return []
  if (!settings.fallbackEnabled || fallback === undefined) return [primary]
  return [primary, fallback]
}

export const providerOrder = (job: RoutedJob, providerId: string): ProviderOrder => ({
  orderId: job.id,
  reference: job.reference,
  providerOrderId: job.providerOrderId,
  quantity: job.quantity,
  playerId: job.playerId,
  extra: job.extra,
  mapping: job.mappings[providerId],
  chain: job.chain
})
