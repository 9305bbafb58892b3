import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Amount, Currency, NonNegativeAmount, StoredAmount } from "./Money.js"
import { plainText, SafeText } from "./SafeText.js"

export const AccountId = Schema.String.pipe(Schema.brand("AccountId"))
export type AccountId = typeof AccountId.Type

export class Account extends Schema.Class<Account>("Account")({
  id: AccountId,
  name: Schema.String,
  balance: StoredAmount,
  overdraftLimit: StoredAmount,
  currency: Currency
}) {}

export const Name = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200), Schema.filter(plainText()))

export class CreateAccountRequest extends Schema.Class<CreateAccountRequest>("CreateAccountRequest")({
  name: Name,
  currency: Currency,
  overdraftLimit: Schema.optionalWith(NonNegativeAmount, { default: () => "0.00" })
}) {}

export class CreatedAccount extends Schema.Class<CreatedAccount>("CreatedAccount")({
  account: Account,
  apiKey: Schema.String
}) {}

export class CreditRequest extends Schema.Class<CreditRequest>("CreditRequest")({
  amount: Amount.pipe(Schema.filter((a) => /[1-9]/.test(a) || "must not be zero")),
  note: Schema.optional(SafeText({ maxLength: 500, allowTab: true }))
}) {}

export const LedgerKind = Schema.Literal("debit", "refund", "redebit", "credit", "correction")

export class LedgerEntry extends Schema.Class<LedgerEntry>("LedgerEntry")({
  id: Schema.String,
  kind: LedgerKind,
  amount: StoredAmount,
  balanceAfter: StoredAmount,
  orderId: Schema.optional(Schema.String),
  note: Schema.optional(Schema.String),
  createdAt: Schema.DateTimeUtc
}) {}

export class AccountNotFound extends Schema.TaggedError<AccountNotFound>()(
  "AccountNotFound",
  { message: Schema.String, accountId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class InsufficientBalance extends Schema.TaggedError<InsufficientBalance>()(
  "InsufficientBalance",
  { message: Schema.String, balance: StoredAmount, required: StoredAmount },
  HttpApiSchema.annotations({ status: 402 })
) {}
