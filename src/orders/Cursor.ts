import { Effect } from "effect"
import { ValidationError } from "./ValidationError.js"

/**
 * Opaque page cursors keyed by a row's numeric key (an order's number, a ledger entry's id). Clients never see
 * the key, so it can change without a new API; `kind` keeps one list's cursors out of another.
 */
export const pageCursor = (kind: string) => {
  const pattern = new RegExp(`^${kind}:(\\d{1,18})$`)
  return {
    encode: (key: number | string): string => Buffer.from(`${kind}:${key}`).toString("base64url"),
    /** The key of the last row of the previous page; a cursor this API did not issue is a 400. */
    decode: (cursor: string | undefined): Effect.Effect<string | undefined, ValidationError> => {
      if (cursor === undefined) return Effect.succeed(undefined)
      const match = pattern.exec(Buffer.from(cursor, "base64url").toString("utf8"))
      return match === null
        ? Effect.fail(new ValidationError({ field: "cursor", message: "not a cursor this API issued" }))
        : Effect.succeed(match[1]!)
    }
  }
}

export const orderCursor = pageCursor("o")
export const ledgerCursor = pageCursor("l")

/** The order number a page of orders starts below. */
export const orderCursorNumber = (cursor: string | undefined) =>
  Effect.map(orderCursor.decode(cursor), (key) => (key === undefined ? undefined : Number(key)))
