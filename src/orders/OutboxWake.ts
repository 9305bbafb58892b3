import { Context, type Effect } from "effect"

/** Wakes the claim loop of the engine in this process (when there is one) to claim unowned orders at once. */
export class OutboxWake extends Context.Service<OutboxWake, { readonly wake: Effect.Effect<void> }>()(
  "tawsil/orders/OutboxWake"
) {}
