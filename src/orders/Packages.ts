import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { ValidationError } from "./ValidationError.js"
import { normalize } from "./Money.js"
import { type Mapping, Package, type PutPackageRequest, type Route } from "./Package.js"
import { TawsilTables } from "../db/Tables.js"

/** A `packages` row as the Postgres client returns it (numeric as a string, jsonb parsed). */
export interface PackageRow {
  readonly id: string
  readonly name: string
  readonly price: string
  readonly currency: string
  readonly enabled: boolean
  readonly route_mode: "auto" | "manual"
  readonly primary_provider: string | null
  readonly fallback_provider: string | null
  readonly mappings: Record<string, Mapping>
}

/** The package's route; stored routes were checked when they were put, so they are not checked again. */
export const toRoute = (
  row: Pick<PackageRow, "route_mode" | "primary_provider" | "fallback_provider">
): Route => ({
  mode: row.route_mode,
  ...(row.primary_provider === null ? {} : { primary: row.primary_provider }),
  ...(row.fallback_provider === null ? {} : { fallback: row.fallback_provider })
})

const toPackage = (row: PackageRow) =>
  new Package({
    id: row.id,
    name: row.name,
    price: normalize(row.price),
    currency: row.currency,
    enabled: row.enabled,
    route: toRoute(row),
    mappings: row.mappings
  })

export class Packages extends Context.Service<Packages>()("tawsil/orders/Packages", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    /** Create or replace. A route may only name providers that exist, so no order is created unroutable. */
    const put = Effect.fn("Packages.put")(function* (id: string, request: PutPackageRequest) {
      const named = [
        ["route.primary", request.route.primary],
        ["route.fallback", request.route.fallback]
      ] as const
      for (const [field, providerId] of named) {
        if (providerId === undefined) continue
        const found = yield* sql`select 1 from ${t.providers} where id = ${providerId}`.pipe(Effect.orDie)
        if (found.length === 0) {
          return yield* new ValidationError({ field, message: `unknown provider "${providerId}"` })
        }
      }
      const rows = yield* sql<PackageRow>`
        insert into ${t.packages} (id, name, price, currency, enabled, route_mode, primary_provider, fallback_provider,
                              mappings)
        values (${id}, ${request.name}, ${request.price}, ${request.currency}, ${request.enabled},
                ${request.route.mode}, ${request.route.primary ?? null}, ${request.route.fallback ?? null},
                ${JSON.stringify(request.mappings)}::jsonb)
        on conflict (id) do update set
          name = excluded.name, price = excluded.price, currency = excluded.currency, enabled = excluded.enabled,
          route_mode = excluded.route_mode, primary_provider = excluded.primary_provider,
          fallback_provider = excluded.fallback_provider, mappings = excluded.mappings, updated_at = now()
        returning *`.pipe(Effect.orDie)
      yield* Effect.logInfo("package saved").pipe(
        Effect.annotateLogs({ packageId: id, price: request.price })
      )
      return toPackage(rows[0]!)
    })

    const list = sql<PackageRow>`select * from ${t.packages} order by id`.pipe(
      Effect.map((rows) => rows.map(toPackage)),
      Effect.orDie
    )

    return { put, list } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
