import { Schema } from "effect"

/**
 * Amounts travel as decimal strings with at most two decimals and are computed on as integer cents. A request may
 * carry at most 15 integer digits; what is stored (numeric(18,2): 16 integer digits) may be ten times larger, so
 * that refunds always have room: `StoredAmount` describes what an answer may carry.
 */
export const Amount = Schema.String.check(
  Schema.isPattern(/^-?\d{1,15}(\.\d{1,2})?$/, {
    message: 'must be a decimal string such as "12.50", at most 999999999999999.99'
  })
).annotate({ identifier: "Amount", examples: ["12.50"] })

export const StoredAmount = Schema.String.check(Schema.isPattern(/^-?\d{1,16}(\.\d{1,2})?$/)).annotate({
  identifier: "StoredAmount",
  examples: ["12.50"]
})

/** The largest magnitude a money column (numeric(18,2)) holds, in cents. */
export const maxStoredCents = 10n ** 18n - 1n

export const NonNegativeAmount = Amount.check(
  Schema.makeFilter((amount) => !amount.startsWith("-") || "must not be negative")
).annotate({ identifier: "NonNegativeAmount" })

export const Currency = Schema.String.check(
  Schema.isPattern(/^[A-Z]{3}$/, { message: "must be a three-letter ISO currency code" })
).annotate({ identifier: "Currency", examples: ["USD"] })

export const toCents = (amount: string): bigint => {
  const negative = amount.startsWith("-")
  const [whole, fraction = ""] = (negative ? amount.slice(1) : amount).split(".")
  const cents = BigInt(whole ?? "0") * 100n + BigInt(fraction.padEnd(2, "0"))
  return negative ? -cents : cents
}

export const fromCents = (cents: bigint): string => {
  const negative = cents < 0n
  const abs = negative ? -cents : cents
  const fraction = (abs % 100n).toString().padStart(2, "0")
  return `${negative ? "-" : ""}${abs / 100n}.${fraction}`
}

/** Normalises what Postgres returns for numeric(18,2) ("12.5" never happens, but "-0.00" might). */
export const normalize = (amount: string): string => fromCents(toCents(amount))
