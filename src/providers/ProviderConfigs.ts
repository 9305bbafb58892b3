import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ProviderNotFound, type PutProviderRequest, ProviderView } from "./ProviderConfig.js"

export interface ProviderRow {
  readonly id: string
  /** a built-in kind, or one a host service added (`ProviderKinds`) */
  readonly kind: string
  readonly name: string
  readonly base_url: string | null
  readonly credentials: Record<string, string>
  readonly options: Record<string, unknown>
  readonly enabled: boolean
}

export const toProviderView = (row: ProviderRow) =>
  new ProviderView({
    id: row.id,
    kind: row.kind,
    name: row.name,
    ...(row.base_url === null ? {} : { baseUrl: row.base_url }),
    enabled: row.enabled,
    options: row.options,
    hasCredentials: Object.keys(row.credentials).length > 0
  })

/** The configured upstreams. Credentials are write-only: stored for the adapters, never returned or logged. */
export class ProviderConfigs extends Context.Service<ProviderConfigs>()("tawsil/providers/ProviderConfigs", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const put = Effect.fn("ProviderConfigs.put")(function* (id: string, request: PutProviderRequest) {
      const baseUrl = "baseUrl" in request ? request.baseUrl : null
      const credentials = "credentials" in request ? request.credentials : {}
      const rows = yield* sql<ProviderRow>`
        insert into providers (id, kind, name, base_url, credentials, options, enabled)
        values (${id}, ${request.kind}, ${request.name}, ${baseUrl}, ${JSON.stringify(credentials)}::jsonb,
                ${JSON.stringify(request.options)}::jsonb, ${request.enabled})
        on conflict (id) do update set
          kind = excluded.kind, name = excluded.name, base_url = excluded.base_url,
          credentials = excluded.credentials, options = excluded.options, enabled = excluded.enabled,
          updated_at = now()
        returning *`.pipe(Effect.orDie)
      yield* Effect.logInfo("provider saved").pipe(
        Effect.annotateLogs({ providerId: id, kind: request.kind })
      )
      return toProviderView(rows[0]!)
    })

    const list = sql<ProviderRow>`select * from providers order by id`.pipe(
      Effect.map((rows) => rows.map(toProviderView)),
      Effect.orDie
    )

    /** The full row, credentials included, for the adapters only. */
    const find = (id: string) =>
      sql<ProviderRow>`select * from providers where id = ${id}`.pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          Option.match(Option.fromNullishOr(rows[0]), {
            onNone: () => Effect.fail(new ProviderNotFound({ message: "no such provider", providerId: id })),
            onSome: Effect.succeed
          })
        )
      )

    return { put, list, find } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
