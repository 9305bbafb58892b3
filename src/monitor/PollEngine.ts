import type { Duration, Effect } from "effect"
import type { OrderStore } from "../orders/OrderStore.js"
import type { ProviderTransient } from "../providers/Provider.js"
import type { Providers } from "../providers/Providers.js"

/** Polling's settings (a part of the engine's `DispatchSettings`). */
export interface PollSettings {
  /** spacing of status checks: one interval after the previous check ended */
  readonly pollInterval: Duration.Duration
  /** how long after the send an order may stay unsettled before it goes to `manual` (money held) */
  readonly pollDeadline: Duration.Duration
  /** a check without an answer by then counts as a transient failure */
  readonly checkTimeout: Duration.Duration
  /**
   * after an ambiguous send, a "never seen" answer allows the re-send only from a check made this long after the
   * abandoned attempt started: a request given up on may still be on its way to the provider (queued in a proxy,
   * a load balancer, the provider's own intake), and would land beside the re-send
   */
  readonly resendQuietPeriod: Duration.Duration
}

/** What polling uses of the engine that runs it: given once per engine, not kept per order. */
export interface PollEngine {
  readonly settings: PollSettings
  readonly store: OrderStore["Service"]
  readonly providers: Providers["Service"]
  /** refuses a provider call while this node's leases may have been taken (heartbeat too old) */
  readonly gate: { readonly ensureFresh: Effect.Effect<void, ProviderTransient> }
}
