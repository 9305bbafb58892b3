import { Context, type Effect } from "effect"
import type { Mapping } from "./Package.js"
import type { OrderRow } from "./OrderRow.js"

/** A just-created order with its package's route: all the engine needs to send it without reading it back. */
export interface NewOrderJob extends OrderRow {
  readonly route_mode: "auto" | "manual"
  readonly primary_provider: string | null
  readonly fallback_provider: string | null
  readonly mappings: Record<string, Mapping>
}

/**
 * How order intake hands new orders to an engine running in the same process: their outbox rows are written
 * already owned by `nodeId` (fence 1), and `started` is called after the commit. Without it, rows are written
 * unowned and any engine on the database claims them.
 */
export class DispatchHandoff extends Context.Service<
  DispatchHandoff,
  {
    readonly nodeId: string
    readonly started: (orders: ReadonlyArray<NewOrderJob>) => Effect.Effect<void>
  }
>()("tawsil/orders/DispatchHandoff") {}
