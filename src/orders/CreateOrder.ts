import { createHash } from "node:crypto"
import type { InsufficientBalance } from "./Account.js"
import type { AccountId } from "./Account.js"
import type { BalanceOutOfRange } from "./BalanceRange.js"
import type { CreateOrderRequest, IdempotencyKeyReused, Order } from "./Order.js"
import type { CurrencyMismatch, PackageNotFound, PackageUnavailable } from "./Package.js"
import type { ValidationError } from "./ValidationError.js"

export interface CreateOrderCommand {
  readonly accountId: AccountId
  readonly request: CreateOrderRequest
  readonly idempotencyKey: string | undefined
  /** the Tawsil instances the order passed through before this one (the client API's X-Tawsil-Chain) */
  readonly chain?: ReadonlyArray<string> | undefined
}

/** A command on its way through intake: the id its order gets if it is created (so a failed batch can name it). */
export interface IntakeCommand extends CreateOrderCommand {
  readonly orderId: string
}

export interface CreatedOrder {
  readonly order: Order
  /** true when an earlier request with the same idempotency key created this order */
  readonly replayed: boolean
}

export type CreateOrderError =
  | PackageNotFound
  | PackageUnavailable
  | CurrencyMismatch
  | InsufficientBalance
  | IdempotencyKeyReused
  | BalanceOutOfRange
  | ValidationError

/** "Same body" for idempotency is the same decoded value: key order, whitespace and defaults do not matter. */
export const requestHash = (request: CreateOrderRequest): string =>
  createHash("sha256")
    .update(JSON.stringify([request.packageId, request.playerId, request.extra ?? null, request.quantity]))
    .digest("hex")
