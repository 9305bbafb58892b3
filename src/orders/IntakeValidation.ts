import { Effect, Schema } from "effect"
import type { CreateOrderCommand } from "./CreateOrder.js"
import { CreateOrderRequest, IdempotencyKey } from "./Order.js"
import { validationErrorOf } from "./ValidationError.js"

// the fields, not only the class: an instance built with validation disabled passes `instanceof`
const validRequest = Schema.decodeUnknownEffect(Schema.toType(Schema.Struct(CreateOrderRequest.fields)))
const validKey = Schema.decodeUnknownEffect(Schema.toType(IdempotencyKey))

const toValidationError = (prefix: ReadonlyArray<PropertyKey>) =>
  validationErrorOf(prefix, "is not a valid create request")

/**
 * A create is checked again before it joins a batch: over HTTP the schema has already done it, but an embedding
 * host can hand over any value, and one command that Postgres refuses would fail the batch of its neighbours.
 */
export const validateCreate = (command: CreateOrderCommand) =>
  Effect.all([
    validRequest(command.request).pipe(Effect.mapError(toValidationError([]))),
    command.idempotencyKey === undefined
      ? Effect.void
      : validKey(command.idempotencyKey).pipe(Effect.mapError(toValidationError(["idempotency-key"])))
  ]).pipe(Effect.asVoid)
