import { Cause, Effect, Schema } from "effect"
import { HttpServerResponse } from "effect/http"
import type { OrderStatus } from "../../orders/Order.js"
import { loopDetectedCode } from "../../providers/TawsilChain.js"

/**
 * The error codes of the Barakat (Apstore) wire (docs/wire-protocols.md §3) the client API answers with, and
 * Tawsil's own for a refused chain. Barakat has no code for an insufficient balance: its senders read the message
 * (src/providers/BarakatParse.ts), so `insufficientBalance` comes with the message "Insufficient balance".
 */
export const BarakatCode = {
  insufficientBalance: 100,
  quantityInvalid: 105,
  quantityOutOfRange: 106,
  productNotFound: 109,
  productUnavailable: 110,
  invalidParam: 114,
  tokenRequired: 120,
  tokenError: 121,
  rateLimited: 429,
  unknown: 500,
  loopDetected: loopDetectedCode
} as const

/** A refusal in Barakat's form: `{"status":"ERROR","code":…,"message":…}`. */
export class ClientApiError extends Schema.TaggedError<ClientApiError>()("ClientApiError", {
  code: Schema.Number,
  message: Schema.String
}) {}

/** Barakat answers everything with HTTP 200, errors included. */
const json = (body: unknown) => HttpServerResponse.jsonUnsafe(body)

/** An order's status in Barakat's words: `wait` until it is final. */
export const wireStatus: Readonly<Record<OrderStatus, "wait" | "accept" | "reject">> = {
  pending: "wait",
  approved: "accept",
  rejected: "reject"
}

/** A successful `newOrder` or `check` answer. */
export const ok = (data: unknown) => ({ status: "OK", data }) as const

/**
 * A client API route: its body as JSON, a refusal in Barakat's form, anything else (a database failure) logged and
 * answered as Barakat's "unknown error" (500), which a sender treats as ambiguous. An interruption stays one.
 */
export const answer = <A, R>(handler: Effect.Effect<A, ClientApiError, R>) =>
  handler.pipe(
    Effect.map(json),
    Effect.catchTag("ClientApiError", (error) =>
      Effect.succeed(json({ status: "ERROR", code: error.code, message: error.message }))
    ),
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.failCause(cause)
        : Effect.logError("client API request failed", cause).pipe(
            Effect.as(json({ status: "ERROR", code: BarakatCode.unknown, message: "Unknown error" }))
          )
    )
  )
