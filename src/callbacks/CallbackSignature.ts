import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/** The header that signs a callback body (the Stripe scheme): `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const signatureHeader = "tawsil-signature"
/** The header that names the event: the same on every attempt, for the receiver's deduplication. */
export const eventIdHeader = "tawsil-event-id"

/** A fresh signing secret, shown once to the account that sets its callback. */
export const newCallbackSecret = (): string => `whsec_${randomBytes(24).toString("base64url")}`

const hmac = (secret: string, unixSeconds: number, body: string) =>
  createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")

/** The `Tawsil-Signature` value of `body` sent at `unixSeconds`. */
export const sign = (secret: string, unixSeconds: number, body: string): string =>
  `t=${unixSeconds},v1=${hmac(secret, unixSeconds, body)}`

/** Whether `header` signs `body` with `secret` (what a receiver checks; it should also bound the age of `t`). */
export const verifySignature = (secret: string, header: string, body: string): boolean => {
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=")
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const
    })
  )
  const t = Number(parts.get("t"))
  const given = Buffer.from(parts.get("v1") ?? "", "hex")
  if (!Number.isInteger(t)) return false
  const expected = Buffer.from(hmac(secret, t, body), "hex")
  return given.length === expected.length && timingSafeEqual(given, expected)
}
