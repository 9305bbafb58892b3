import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { type AccountId, CreateOrderRequest, Orders } from "tawsil"
import { type BuyRequest, Purchase, PurchaseRefused } from "./HostApi.js"

/** Which Tawsil account the shop buys with, and what it sells. */
export class ShopConfig extends Context.Service<
  ShopConfig,
  { readonly accountId: AccountId; readonly packageId: string }
>()("host/ShopConfig") {}

/** The host's own table, on the host's own Postgres (Tawsil keeps its tables beside it). */
export const ShopTablesLive = Layer.effectDiscard(
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`
      create table if not exists shop_purchases (
        purchase_id text primary key,
        order_id uuid not null,
        player_id text not null,
        created_at timestamptz not null default now()
      )`
  ).pipe(Effect.orDie)
)

/**
 * The host's domain service: a purchase is a Tawsil order and a row of the shop's own, in one transaction of the
 * shop's (`Orders.createIn`): both commit or neither does, and the engine sends the order only after the commit.
 * Called inside a larger transaction of the host's, it joins that one (as a savepoint).
 */
export class Shop extends Context.Service<Shop>()("host/Shop", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const orders = yield* Orders
    const config = yield* ShopConfig

    const purchase = (request: BuyRequest) =>
      Effect.gen(function* () {
        const created = yield* orders
          .createIn({
            accountId: config.accountId,
            request: new CreateOrderRequest({
              packageId: config.packageId,
              playerId: request.playerId,
              quantity: 1
            }),
            idempotencyKey: request.purchaseId
          })
          .pipe(
            Effect.mapError((error) => new PurchaseRefused({ message: error.message, reason: error._tag }))
          )
        yield* sql`
          insert into shop_purchases (purchase_id, order_id, player_id)
          values (${request.purchaseId}, ${created.order.id}, ${request.playerId})
          on conflict (purchase_id) do nothing`
        return new Purchase({
          purchaseId: request.purchaseId,
          orderId: created.order.id,
          status: created.order.status
        })
      })

    const buy = Effect.fn("Shop.buy")(function* (request: BuyRequest) {
      return yield* sql.withTransaction(purchase(request)).pipe(Effect.catchTag("SqlError", Effect.die))
    })

    return { buy } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}
