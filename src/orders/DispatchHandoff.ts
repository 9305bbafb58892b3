import { Context, type Effect } from "effect"

/**
 * How order intake hands new orders to an engine running in the same process: their outbox rows are written
 * already owned by `nodeId` (fence 1), and `started` is called after the commit. Without it, rows are written
 * unowned and any engine on the database claims them.
 */
export class DispatchHandoff extends Context.Tag("tawsil/orders/DispatchHandoff")<
  DispatchHandoff,
  {
    readonly nodeId: string
    readonly started: (orderIds: ReadonlyArray<string>) => Effect.Effect<void>
  }
>() {}
