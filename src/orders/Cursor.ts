import { Option } from "effect"

/** Pages are keyed by order number; the cursor is opaque to clients so the key can change without a new API. */
export const encodeCursor = (number: number): string => Buffer.from(`o:${number}`).toString("base64url")

export const decodeCursor = (cursor: string): Option.Option<number> => {
  const match = /^o:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"))
  return match === null ? Option.none() : Option.some(Number(match[1]))
}
