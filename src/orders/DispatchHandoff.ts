import { Context, type Effect } from "effect"
import type { DispatchJob } from "./DispatchJob.js"

/**
 * How order intake hands new orders to an engine running in the same process: their outbox rows are written
 * already owned by `nodeId` (fence 1, read for each write: the engine's node can be replaced), and `started` is
 * called after the commit. Without it, rows are written unowned and any engine on the database claims them.
 */
export class DispatchHandoff extends Context.Service<
  DispatchHandoff,
  {
    readonly nodeId: string
    readonly started: (orders: ReadonlyArray<DispatchJob>) => Effect.Effect<void>
  }
>()("tawsil/orders/DispatchHandoff") {}
