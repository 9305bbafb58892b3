import { Result } from "effect"
import { InsufficientBalance } from "../Account.js"
import { fromCents, toCents } from "../Money.js"

/**
 * The overdraft rule: a debit may take a balance down to minus the account's overdraft limit, never further
 * (`balance - amount >= -overdraft_limit`; the `balance_within_overdraft` constraint holds the same line).
 * Amounts in cents; answers the balance after the debit. A negative amount is a credit.
 */
export const debitWithinOverdraft = (
  account: { readonly balance: bigint; readonly overdraftLimit: string },
  amount: bigint,
  message: string
): Result.Result<bigint, InsufficientBalance> => {
  const after = account.balance - amount
  return after >= -toCents(account.overdraftLimit)
    ? Result.succeed(after)
    : Result.fail(
        new InsufficientBalance({
          message,
          balance: fromCents(account.balance),
          required: fromCents(amount < 0n ? -amount : amount)
        })
      )
}
