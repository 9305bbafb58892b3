import { Effect, Schema } from "effect"
import { HttpServerRequest } from "effect/http"
import { SqlClient } from "effect/sql"
import { ResellerWords } from "../../providers/ResellerWords.js"
import { loopDetectedCode } from "../../providers/TawsilChain.js"
import { BarakatCode, ClientApiError, ok, wireStatus } from "./BarakatAnswer.js"
import type { ClientAuth } from "./ClientAuth.js"
import { type ClientOrderState, findClientOrders } from "./ClientOrderStates.js"
import { TawsilTables } from "../../db/Tables.js"

/** At most this many orders a check (Barakat's limit). */
export const maxCheckOrders = 50

const CheckQuery = Schema.Struct({ orders: Schema.String, uuid: Schema.optional(Schema.String) })

const notAList = new ClientApiError({
  code: BarakatCode.invalidParam,
  message: "Invalid param orders: a list such as [id1,id2]"
})

/** `[id1,id2]`, ids without quotes (quoted ones are read too); undefined when it is not a list. */
const orderList = (text: string): ReadonlyArray<string> | undefined => {
  const inside = /^\[(.*)\]$/s.exec(text.trim())?.[1]
  if (inside === undefined) return undefined
  return inside
    .split(",")
    .map((id) => id.trim().replace(/^"(.*)"$/s, "$1"))
    .filter((id) => id !== "")
}

/**
 * One order in Barakat's check answer: its PIN when accepted, the order's message once final. An order held
 * because its chain loops stays `wait` and carries `code` (Tawsil's LOOP_DETECTED code, which Barakat never sends):
 * the Tawsil that sent it moves its own order to `manual` rather than polling for ever.
 */
const toEntry = (state: ClientOrderState) => {
  const status = wireStatus[state.status]
  const looped = status === "wait" && state.looped
  return {
    order_id: state.orderId,
    ...(state.orderUuid === undefined ? {} : { order_uuid: state.orderUuid }),
    status,
    ...(status === "accept" && state.pin !== undefined ? { pin: state.pin } : {}),
    ...(looped ? { code: loopDetectedCode, note: ResellerWords.loopDetected } : {}),
    ...(status !== "wait" && state.message !== undefined ? { note: state.message } : {})
  }
}

/**
 * `GET /client/api/check?orders=[…]` (our order ids) or `…&uuid=1` (the caller's `order_uuid`s): up to 50 of the
 * account's orders, in the order asked; an id that names none of them is left out (with `uuid=1`: never seen).
 */
export const makeCheck = (auth: ClientAuth) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    return Effect.gen(function* () {
      const accountId = yield* auth.accountId
      const query = yield* HttpServerRequest.schemaSearchParams(CheckQuery).pipe(
        Effect.mapError(() => notAList)
      )
      const ids = orderList(query.orders)
      if (ids === undefined) return yield* notAList
      if (ids.length > maxCheckOrders) {
        return yield* new ClientApiError({
          code: BarakatCode.invalidParam,
          message: `Too many orders (at most ${maxCheckOrders})`
        })
      }
      const by = query.uuid === "1" ? "orderUuid" : "orderId"
      const found = yield* findClientOrders(sql, t, accountId, ids, by)
      const byId = new Map(
        found.map((state) => [by === "orderUuid" ? state.orderUuid : state.orderId, state])
      )
      const asked = [...new Set(ids)].flatMap((id) => {
        const state = byId.get(id)
        return state === undefined ? [] : [toEntry(state)]
      })
      return ok(asked)
    }).pipe(Effect.withSpan("ClientApi.check"))
  })
