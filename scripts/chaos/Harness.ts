import { Effect, Redacted, type Scope } from "effect"
import type { RunningPostgres } from "../../src/db/EmbeddedPostgres.js"
import { ZnetSimulator, type ZnetBehaviour } from "../../test/support/ZnetSimulator.js"
import { setup } from "./Api.js"
import { connect, type Db } from "./Db.js"
import { type NodeEnv, startNode, type TawsilNode } from "./Node.js"
import { type Call, startProxy } from "./Proxy.js"

export interface Ctx {
  readonly env: NodeEnv
  readonly registry: Set<TawsilNode>
  readonly postgres: RunningPostgres
  /** Znet providers (and packages) per scenario: each provider's calls are spaced 200 ms apart by the adapter. */
  readonly providers: number
}

export interface World {
  readonly url: string
  readonly db: Db
  readonly calls: ReadonlyArray<Call>
  readonly script: (change: Partial<ZnetBehaviour>) => Effect.Effect<void>
  readonly start: (name: string) => Effect.Effect<TawsilNode, Error, Scope.Scope>
  /** Providers and packages through `node`; the reseller's key and the package ids. */
  readonly configure: (
    node: TawsilNode
  ) => Effect.Effect<{ readonly key: string; readonly packages: ReadonlyArray<string> }>
}

/**
 * A scenario's world: its own database (references restart at 1 in each), its own Znet simulator (which keys its
 * orders by reference) and proxy, both in this process so they outlive any node.
 */
export const world = (
  ctx: Ctx,
  name: string,
  databaseUrl?: string
): Effect.Effect<World, Error, Scope.Scope> =>
  Effect.gen(function* () {
    const url =
      databaseUrl ??
      Redacted.value(
        yield* ctx.postgres
          .createDatabase(name)
          .pipe(Effect.mapError((e) => new Error(`createDatabase ${name}`, { cause: e })))
      )
    const sim = yield* ZnetSimulator.start({ balance: 1e12 })
    const proxy = yield* startProxy(sim.port, () =>
      [...ctx.registry].map((n) => ({ name: n.name, pid: n.pid }))
    )
    const db = yield* connect(url).pipe(Effect.mapError((e) => new Error("connect", { cause: e })))
    return {
      url,
      db,
      calls: proxy.calls,
      script: sim.script,
      start: (node) => startNode(ctx.env, node, url, ctx.registry),
      configure: (node) =>
        setup(node, ctx.env.adminToken, { url: proxy.url, kod: sim.kod, sifre: sim.sifre }, ctx.providers)
    }
  })
