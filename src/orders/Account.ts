import { Effect, Schema } from "effect"
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

export const Name = Schema.Trim.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(200),
  Schema.makeFilter(plainText())
)

export class CreateAccountRequest extends Schema.Class<CreateAccountRequest>("CreateAccountRequest")({
  name: Name,
  currency: Currency,
  overdraftLimit: NonNegativeAmount.pipe(
    Schema.withDecodingDefaultType(Effect.succeed("0.00")),
    Schema.withConstructorDefault(Effect.succeed("0.00"))
  )
}) {}

export class CreatedAccount extends Schema.Class<CreatedAccount>("CreatedAccount")({
  account: Account,
  apiKey: Schema.String
}) {}

export class CreditRequest extends Schema.Class<CreditRequest>("CreditRequest")({
  amount: Amount.check(Schema.makeFilter((a) => /[1-9]/.test(a) || "must not be zero")),
  note: Schema.optionalKey(SafeText({ maxLength: 500, allowTab: true }))
}) {}

export const LedgerKind = Schema.Literals(["debit", "refund", "redebit", "credit", "correction"])

export class LedgerEntry extends Schema.Class<LedgerEntry>("LedgerEntry")({
  id: Schema.String,
  kind: LedgerKind,
  amount: StoredAmount,
  balanceAfter: StoredAmount,
  orderId: Schema.optionalKey(Schema.String),
  note: Schema.optionalKey(Schema.String),
  createdAt: Schema.DateTimeUtcFromString
}) {}

export class AccountNotFound extends Schema.TaggedError<AccountNotFound>()(
  "AccountNotFound",
  { message: Schema.String, accountId: Schema.String },
  { httpApiStatus: 404 }
) {}

export class InsufficientBalance extends Schema.TaggedError<InsufficientBalance>()(
  "InsufficientBalance",
  { message: Schema.String, balance: StoredAmount, required: StoredAmount },
  { httpApiStatus: 402 }
) {}
