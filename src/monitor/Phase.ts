import { Data } from "effect"

/** Where an order's fiber is in its program; each step returns the next phase until `Finished`. */
export type Phase = Data.TaggedEnum<{
  /**
   * send to the route's provider at `hop` (0 = primary, 1 = fallback); `loop`: the previous hop refused the order's
   * chain (LOOP_DETECTED), which `manual` names when no hop is left
   */
  Send: { readonly hop: number; readonly loop?: boolean }
  /**
   * poll the provider; `ambiguousSince` (Clock millis, when the attempt we cannot account for started) is set
   * while we do not know whether the provider has the order
   */
  Watch: {
    readonly providerId: string
    readonly hop: number
    readonly ambiguousSince: number | undefined
    /** the provider's own id for the order, when its answer to the send gave one */
    readonly providerOrderId: string | undefined
  }
  Finished: { readonly outcome: string }
}>
export const Phase = Data.taggedEnum<Phase>()
