import { PgTypes } from "@effect/sql-pg"
import { Context, Effect, Layer, Result, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TawsilTables } from "../db/Tables.js"

export class AddCodesRequest extends Schema.Class<AddCodesRequest>("AddCodesRequest")({
  codes: Schema.Array(
    Schema.Struct({
      pin: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256)),
      serial: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(256)))
    })
  ).check(Schema.isMinLength(1), Schema.isMaxLength(5000))
}) {}

export class CodeGroupStock extends Schema.Class<CodeGroupStock>("CodeGroupStock")({
  groupId: Schema.String,
  available: Schema.Int,
  used: Schema.Int,
  lowStockThreshold: Schema.Int,
  /** true when the group has at most `lowStockThreshold` codes left: an operator should restock */
  lowStock: Schema.Boolean,
  added: Schema.optionalKey(Schema.Int)
}) {}

export class CodeGroupNotFound extends Schema.TaggedError<CodeGroupNotFound>()(
  "CodeGroupNotFound",
  { message: Schema.String, groupId: Schema.String },
  { httpApiStatus: 404 }
) {}

interface StockRow {
  readonly id: string
  /** count(*): int8, a `bigint` from the driver */
  readonly available: bigint | string
  readonly used: bigint | string
  readonly low_stock_threshold: number
}

const toStock = (row: StockRow, added?: number) =>
  new CodeGroupStock({
    groupId: row.id,
    available: Number(row.available),
    used: Number(row.used),
    lowStockThreshold: row.low_stock_threshold,
    lowStock: Number(row.available) <= row.low_stock_threshold,
    ...(added === undefined ? {} : { added })
  })

/** An array parameter of only nulls has no type the driver can infer: give it one. */
const textArray = (values: ReadonlyArray<string | null>) =>
  values.every((value) => value === null)
    ? Result.getOrThrow(PgTypes.array(values, PgTypes.OID.text))
    : values

/** The operator's side of the PIN inventory: adding codes and watching stock. */
export class CodeInventory extends Context.Service<CodeInventory>()("tawsil/providers/CodeInventory", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const stockRows = (groupId?: string) =>
      sql<StockRow>`
        select g.id, g.low_stock_threshold,
               count(c.id) filter (where c.status = 'available') as available,
               count(c.id) filter (where c.status = 'used') as used
        from ${t.code_groups} g left join ${t.codes} c on c.group_id = g.id
        ${groupId === undefined ? sql`` : sql`where g.id = ${groupId}`}
        group by g.id order by g.id`

    /** Adds codes to a group (created on first use); a pin already in the group is not added twice. */
    const add = Effect.fn("CodeInventory.add")(function* (groupId: string, request: AddCodesRequest) {
      const inserted = yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`insert into ${t.code_groups} (id) values (${groupId}) on conflict (id) do nothing`
          return yield* sql<{ id: string }>`
            insert into ${t.codes} (group_id, pin, serial)
            select ${groupId}, pin, serial
            from unnest(${request.codes.map((c) => c.pin)}::text[], ${textArray(request.codes.map((c) => c.serial ?? null))}::text[])
              as t (pin, serial)
            on conflict (group_id, pin) do nothing
            returning id`
        })
      )
      const rows = yield* stockRows(groupId)
      yield* Effect.logInfo("codes added").pipe(Effect.annotateLogs({ groupId, added: inserted.length }))
      return toStock(rows[0]!, inserted.length)
    }, Effect.orDie)

    const stock = stockRows().pipe(
      Effect.map((rows) => rows.map((row) => toStock(row))),
      Effect.orDie
    )

    return { add, stock } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
