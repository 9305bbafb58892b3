import { Data } from "effect"

/** The right of one node to drive one order, valid while the outbox row still carries this fence. */
export interface Lease {
  readonly orderId: string
  readonly nodeId: string
  readonly fence: number
}

/**
 * A fenced write found the row no longer ours (another node claimed it, or an operator settled the order). The
 * order's fiber stops at once: it must not call the provider or write again.
 */
export class LeaseLost extends Data.TaggedError("LeaseLost")<{
  readonly orderId: string
  readonly step: string
}> {}
