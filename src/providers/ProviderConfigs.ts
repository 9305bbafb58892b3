import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ProviderNotFound, type PutProviderRequest } from "./ProviderConfig.js"
import { registeredKindSchemas } from "./ProviderKinds.js"
import { type ProviderRow, toProviderView } from "./ProviderRow.js"
import { validProvider } from "./ProviderValidation.js"
import { TawsilTables } from "../db/Tables.js"

export type { ProviderRow } from "./ProviderRow.js"

/**
 * The configured upstreams, of any registered kind (built in, or added by the host with `ProviderKinds`).
 * Credentials are write-only: stored for the adapters, never returned or logged.
 */
export class ProviderConfigs extends Context.Service<ProviderConfigs>()("tawsil/providers/ProviderConfigs", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const kinds = yield* registeredKindSchemas

    /** Saves the provider; its `baseUrl`, `credentials` and `options` must fit its kind (else `ValidationError`). */
    const put = Effect.fn("ProviderConfigs.put")(function* (
      id: string,
      input: typeof PutProviderRequest.Encoded
    ) {
      const request = yield* validProvider(kinds, input)
      const rows = yield* sql<ProviderRow>`
        insert into ${t.providers} (id, kind, name, base_url, credentials, options, enabled)
        values (${id}, ${request.kind}, ${request.name}, ${request.baseUrl},
                ${JSON.stringify(request.credentials)}::jsonb, ${JSON.stringify(request.options)}::jsonb,
                ${request.enabled})
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

    const list = sql<ProviderRow>`select * from ${t.providers} order by id`.pipe(
      Effect.map((rows) => rows.map(toProviderView)),
      Effect.orDie
    )

    /** The full row, credentials included, for the adapters only. */
    const find = (id: string) =>
      sql<ProviderRow>`select * from ${t.providers} where id = ${id}`.pipe(
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
