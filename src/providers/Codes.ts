import { Effect, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import type { Tables } from "../db/Tables.js"
import {
  CheckResult,
  PlaceResult,
  type ProviderClient,
  ProviderMisconfigured,
  type ProviderOrder,
  ProviderUnavailable
} from "./Provider.js"
import type { ProviderRow } from "./ProviderConfigs.js"

const CodesOptions = Schema.Struct({ groupId: Schema.String })

/**
 * Our own PIN inventory as a provider. A send takes the oldest available code of the group under a row lock
 * (`SKIP LOCKED`: concurrent orders take different codes, none waits), marks it used by the order, and the order
 * is approved at once. A send for an order that already holds a code returns that code: never two codes.
 */
export const codesClient = (sql: SqlClient.SqlClient, t: Tables, groupId: string): ProviderClient => {
  const heldBy = (order: ProviderOrder) =>
    sql<{
      pin: string
      serial: string | null
    }>`select pin, serial from ${t.codes} where order_id = ${order.orderId}`

  const delivered = (code: { pin: string; serial: string | null }) =>
    PlaceResult.Delivered({
      pin: code.pin,
      message:
        code.serial === null ? "delivered from inventory" : `delivered from inventory (serial ${code.serial})`
    })

  const place = (order: ProviderOrder) =>
    Effect.gen(function* () {
      const held = yield* heldBy(order)
      if (held[0] !== undefined) return delivered(held[0])
      const taken = yield* sql<{ pin: string; serial: string | null }>`
        with picked as (
          select id from ${t.codes} where group_id = ${groupId} and status = 'available'
          order by id limit 1 for update skip locked
        )
        update ${t.codes} c set status = 'used', order_id = ${order.orderId}, used_at = now()
        from picked where c.id = picked.id
        returning c.pin, c.serial`
      if (taken[0] === undefined) {
        return yield* new ProviderUnavailable({ message: `code group ${groupId} has no code available` })
      }
      return delivered(taken[0])
    }).pipe(Effect.catchTag("SqlError", Effect.die))

  const check = (order: ProviderOrder) =>
    heldBy(order).pipe(
      Effect.map((held) =>
        held[0] === undefined
          ? CheckResult.NotFound({ message: "no code was taken for this order" })
          : CheckResult.Succeeded({ pin: held[0].pin, message: "delivered from inventory" })
      ),
      Effect.orDie
    )

  // count(*) is an int8: a `bigint` from the driver
  const balance = sql<{ count: bigint | string }>`
    select count(*) from ${t.codes} where group_id = ${groupId} and status = 'available'`.pipe(
    Effect.map((rows) => ({ balance: String(rows[0]?.count ?? "0"), currency: undefined })),
    Effect.orDie
  )

  return { place, check, balance }
}

export const codesFactory = (sql: SqlClient.SqlClient, t: Tables) => (row: ProviderRow) =>
  Schema.decodeUnknownEffect(CodesOptions)(row.options).pipe(
    Effect.map((options) => codesClient(sql, t, options.groupId)),
    Effect.mapError(
      () => new ProviderMisconfigured({ message: `provider ${row.id}: options.groupId is missing` })
    )
  )
