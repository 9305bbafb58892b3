import { Schema } from "effect"
import { DispatchState, Order, OrderStatus } from "../orders/Order.js"

/** How many orders are in one dispatch state, split by the status the reseller sees. */
export class StateCount extends Schema.Class<StateCount>("StateCount")({
  state: DispatchState,
  status: OrderStatus,
  count: Schema.Int
}) {}

export class OutcomeCount extends Schema.Class<OutcomeCount>("OutcomeCount")({
  outcome: Schema.String,
  count: Schema.Int
}) {}

/** A provider's recent interactions (sends and checks of the last hour) and the orders it holds now. */
export class ProviderHealth extends Schema.Class<ProviderHealth>("ProviderHealth")({
  id: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  enabled: Schema.Boolean,
  /** orders `sending` or `awaiting` at this provider */
  inFlight: Schema.Int,
  calls: Schema.Int,
  /** calls that ended in a provider error tag (transient, ambiguous, unavailable, misconfigured, rejected) */
  errors: Schema.Int,
  outcomes: Schema.Array(OutcomeCount),
  lastOutcome: Schema.optional(Schema.String),
  lastCallAt: Schema.optional(Schema.DateTimeUtcFromString)
}) {}

/** A provider call that went wrong, or a check that found the order failed. */
export class RecentFailure extends Schema.Class<RecentFailure>("RecentFailure")({
  orderId: Schema.String,
  providerId: Schema.optional(Schema.String),
  action: Schema.String,
  outcome: Schema.String,
  response: Schema.optional(Schema.String),
  createdAt: Schema.DateTimeUtcFromString
}) {}

/** Everything the operator dashboard shows, in one answer. */
export class DashboardSummary extends Schema.Class<DashboardSummary>("DashboardSummary")({
  generatedAt: Schema.DateTimeUtcFromString,
  stateCounts: Schema.Array(StateCount),
  /** the operators' work queue, oldest first */
  manualQueue: Schema.Array(Order),
  recentFailures: Schema.Array(RecentFailure),
  providers: Schema.Array(ProviderHealth),
  recentOrders: Schema.Array(Order)
}) {}
