import { Schema } from "effect"
import { LedgerEntry } from "./Account.js"
import { ProviderRef } from "./Package.js"
import { SafeText } from "./SafeText.js"

const Note = SafeText({ maxLength: 500, allowTab: true })

export class ApproveRequest extends Schema.Class<ApproveRequest>("ApproveRequest")({
  note: Schema.optionalKey(Note),
  pin: Schema.optionalKey(SafeText({ minLength: 1, maxLength: 256 }))
}) {}

export class RejectRequest extends Schema.Class<RejectRequest>("RejectRequest")({
  note: Schema.optionalKey(Note)
}) {}

export class DispatchRequest extends Schema.Class<DispatchRequest>("DispatchRequest")({
  /** send only to this provider (overrides the package route); absent: the package route again */
  providerId: Schema.optionalKey(ProviderRef)
}) {}

/** One row of an order's dispatch log: a provider interaction (engine or operator) or an operator action. */
export class DispatchLogEntry extends Schema.Class<DispatchLogEntry>("DispatchLogEntry")({
  id: Schema.String,
  action: Schema.String,
  providerId: Schema.optionalKey(Schema.String),
  outcome: Schema.String,
  response: Schema.optionalKey(Schema.String),
  request: Schema.optionalKey(Schema.Unknown),
  actor: Schema.String,
  createdAt: Schema.DateTimeUtcFromString
}) {}

export class DispatchLog extends Schema.Class<DispatchLog>("DispatchLog")({
  items: Schema.Array(DispatchLogEntry)
}) {}

export class LedgerPage extends Schema.Class<LedgerPage>("LedgerPage")({
  items: Schema.Array(LedgerEntry),
  nextCursor: Schema.optionalKey(Schema.String)
}) {}
