import { Config, Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { TawsilTables } from "../db/Tables.js"

/**
 * Tawsil-to-Tawsil chains: a Barakat provider of one Tawsil may be another Tawsil's client API. Every call a
 * Tawsil's Barakat adapter makes carries `X-Tawsil-Chain`, the ids of the instances the order passed through with
 * the caller's own id last; an instance that finds itself in it (or a chain longer than `TAWSIL_CHAIN_MAX`) refuses
 * the order with `loopDetectedCode`, which the sender reads as misconfigured (fallback or manual, money held).
 */
export const chainHeader = "x-tawsil-chain"

/** Tawsil's own Barakat error code for a refused chain (not one of Barakat's). */
export const loopDetectedCode = 190

/** An instance id: what may stand between the commas of the header. */
export const InstanceId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/, { message: "must be 1–64 letters, digits, '_', '.' or '-'" })
)

const instanceIdConfig = Config.option(
  Config.schema(
    InstanceId.annotate({
      description: "this instance's id in chains; unset = generated at first start and kept"
    }),
    "TAWSIL_INSTANCE_ID"
  )
)

const chainMaxConfig = Config.schema(
  Schema.Int.check(Schema.isGreaterThanOrEqualTo(1, { message: "must be 1 or more" })).annotate({
    description: "the longest incoming chain a newOrder may carry"
  }),
  "TAWSIL_CHAIN_MAX"
).pipe(Config.withDefault(5))

/** The generated id, kept in the `settings` table: the same after a restart, and for every process on the database. */
const storedInstanceId = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = yield* TawsilTables
  const generated = `tawsil-${randomBytes(8).toString("hex")}`
  yield* sql`insert into ${t.settings} (key, value) values ('instance', ${JSON.stringify({ id: generated })}::jsonb)
             on conflict (key) do nothing`
  const rows = yield* sql<{
    id: string
  }>`select value->>'id' as id from ${t.settings} where key = 'instance'`
  return rows[0]?.id ?? generated
}).pipe(Effect.orDie)

/** This instance's id in chains, and the longest chain it accepts. */
export class TawsilInstance extends Context.Service<
  TawsilInstance,
  { readonly id: string; readonly chainMax: number }
>()("tawsil/providers/TawsilInstance") {
  static readonly layer = Layer.effect(
    TawsilInstance,
    Effect.gen(function* () {
      const configured = yield* Effect.orDie(instanceIdConfig)
      const chainMax = yield* Effect.orDie(chainMaxConfig)
      const id = Option.isSome(configured) ? configured.value : yield* storedInstanceId
      return { id, chainMax }
    })
  )
}

const isInstanceId = Schema.is(InstanceId)

/** The ids of a chain header, or none when a part of it is not an instance id. No header is an empty chain. */
export const parseChain = (header: string | undefined): Option.Option<ReadonlyArray<string>> => {
  if (header === undefined || header.trim() === "") return Option.some([])
  const ids = header.split(",").map((id) => id.trim())
  return ids.every(isInstanceId) ? Option.some(ids) : Option.none()
}
