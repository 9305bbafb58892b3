import { createHash, randomBytes } from "node:crypto"

/** Keys are shown once and stored only as their SHA-256: a database leak does not leak working keys. */
export const newApiKey = (): string => `tsk_${randomBytes(24).toString("base64url")}`

export const hashApiKey = (key: string): string => createHash("sha256").update(key).digest("hex")

export const newAccountId = (): string => `acc_${randomBytes(8).toString("hex")}`
