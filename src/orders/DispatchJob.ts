import type { DispatchState, OrderStatus } from "./Order.js"
import type { Mapping, Route } from "./Package.js"

/**
 * An order as the engine works on it: what a provider is sent, where the order stands and its package's route.
 * Decoded from the row where the row is read (`IntakeBatch.ts` for a new order, `OrderLookup.ts` otherwise).
 */
export interface DispatchJob {
  readonly id: string
  readonly reference: string
  readonly providerOrderId: string | undefined
  readonly quantity: number
  readonly playerId: string
  readonly extra: string | undefined
  readonly status: OrderStatus
  readonly dispatchState: DispatchState
  /** the provider the order was last sent to */
  readonly providerId: string | undefined
  /** the only provider an operator re-dispatched the order to */
  readonly routeOverride: string | undefined
  /** shared by the jobs of one package that were decoded together */
  readonly route: Route
  readonly mappings: Record<string, Mapping>
  /** the Tawsil instances the order passed through before this one */
  readonly chain: ReadonlyArray<string>
}

/** A job read back from the database, with how long ago (by the engine's Clock) it was first sent and last checked. */
export interface StoredDispatchJob extends DispatchJob {
  readonly secondsSinceSent: number | undefined
  readonly secondsSinceChecked: number | undefined
}
