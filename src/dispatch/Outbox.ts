import { SqlClient } from "effect/sql"
import { Context, Duration, Effect, Layer } from "effect"
import type { Lease } from "../orders/Lease.js"
import { TawsilTables } from "../db/Tables.js"

/**
 * Node liveness and outbox ownership. The database owns time: a node is alive while its heartbeat is younger
 * than the lease TTL by the database's `now()`; every claim bumps the row's fence, which voids older leases.
 */
export class Outbox extends Context.Service<Outbox>()("tawsil/dispatch/Outbox", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const heartbeat = (nodeId: string) =>
      sql`insert into ${t.nodes} (id) values (${nodeId})
          on conflict (id) do update set heartbeat_at = now()`.pipe(
        Effect.asVoid,
        Effect.withSpan("Outbox.heartbeat")
      )

    /** Unowned rows, and rows of nodes silent for longer than `ttl`, become this node's: fence + 1 each. */
    const claim = (nodeId: string, ttl: Duration.Duration, limit: number) =>
      sql<{ order_id: string; fence: bigint }>`
        with claimable as (
          select b.order_id from ${t.outbox} b
          left join ${t.nodes} n on n.id = b.owner_node
          where (b.owner_node is null or n.id is null
                 or n.heartbeat_at < now() - make_interval(secs => ${Duration.toSeconds(ttl)}))
            -- a node never claims from itself: its rows have fibers here, even if its own heartbeat ran late
            and b.owner_node is distinct from ${nodeId}
          order by b.created_at
          limit ${limit}
          for update of b skip locked
        )
        update ${t.outbox} b set owner_node = ${nodeId}, fence = b.fence + 1, claimed_at = now()
        from claimable where b.order_id = claimable.order_id
        returning b.order_id, b.fence`.pipe(
        Effect.map((rows): ReadonlyArray<Lease> =>
          rows.map((row) => ({ orderId: row.order_id, nodeId, fence: Number(row.fence) }))
        ),
        Effect.withSpan("Outbox.claim")
      )

    /** After a heartbeat gap: the rows still owned by this node get a new fence (voiding the stopped fibers'). */
    const readopt = (nodeId: string) =>
      sql<{ order_id: string; fence: bigint }>`
        update ${t.outbox} set fence = fence + 1, claimed_at = now() where owner_node = ${nodeId}
        returning order_id, fence`.pipe(
        Effect.map((rows): ReadonlyArray<Lease> =>
          rows.map((row) => ({ orderId: row.order_id, nodeId, fence: Number(row.fence) }))
        )
      )

    /** On shutdown: every row of this node becomes claimable at once, without waiting for the lease TTL. */
    const releaseAll = (nodeId: string) =>
      sql`update ${t.outbox} set owner_node = null where owner_node = ${nodeId}`.pipe(
        Effect.andThen(sql`delete from ${t.nodes} where id = ${nodeId}`),
        Effect.asVoid
      )

    return { heartbeat, claim, readopt, releaseAll } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
