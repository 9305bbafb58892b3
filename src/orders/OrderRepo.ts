import { Context, Effect, Layer, Option } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { orderCursor } from "./Cursor.js"
import { OrderPage, type OrderStatus } from "./Order.js"
import { isUuid } from "./OrderLookup.js"
import { type OrderRow, toOrder } from "./OrderRow.js"
import { TawsilTables } from "../db/Tables.js"

export interface ListQuery {
  readonly accountId?: string | undefined
  readonly status?: OrderStatus | undefined
  readonly dispatchState?: string | undefined
  /** only orders numbered below this one (the page cursor) */
  readonly before?: number | undefined
  readonly limit: number
}

/** Runs `query` only for an id that can name an order: any other id finds nothing (Postgres would fail the cast). */
const whenOrderId = (id: string, query: Effect.Effect<ReadonlyArray<OrderRow>, SqlError.SqlError>) =>
  isUuid(id) ? query : Effect.succeed([])

export class OrderRepo extends Context.Service<OrderRepo>()("tawsil/orders/OrderRepo", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables

    const findById = (id: string) =>
      whenOrderId(id, sql<OrderRow>`select * from ${t.orders} where id = ${id}`).pipe(
        Effect.map((rows) => Option.map(Option.fromNullishOr(rows[0]), toOrder)),
        Effect.orDie,
        Effect.withSpan("OrderRepo.findById")
      )

    const findForAccount = (accountId: string, id: string) =>
      whenOrderId(
        id,
        sql<OrderRow>`select * from ${t.orders} where id = ${id} and account_id = ${accountId}`
      ).pipe(
        Effect.map((rows) => Option.map(Option.fromNullishOr(rows[0]), toOrder)),
        Effect.orDie,
        Effect.withSpan("OrderRepo.findForAccount")
      )

    /** Newest first; one row more than asked tells whether another page exists. */
    const page = (query: ListQuery) =>
      sql<OrderRow>`
        select * from ${t.orders}
        where ${sql.and([
          ...(query.accountId === undefined ? [] : [sql`account_id = ${query.accountId}`]),
          ...(query.status === undefined ? [] : [sql`status = ${query.status}`]),
          ...(query.dispatchState === undefined ? [] : [sql`dispatch_state = ${query.dispatchState}`]),
          ...(query.before === undefined ? [] : [sql`number < ${query.before}`])
        ])}
        order by number desc
        limit ${query.limit + 1}`.pipe(
        Effect.map((rows) => {
          const items = rows.slice(0, query.limit).map(toOrder)
          const last = items[items.length - 1]
          return new OrderPage({
            items,
            ...(rows.length > query.limit && last !== undefined
              ? { nextCursor: orderCursor.encode(last.number) }
              : {})
          })
        }),
        Effect.orDie,
        Effect.withSpan("OrderRepo.list")
      )

    return { findById, findForAccount, page } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
