import { Context } from "effect"

/**
 * Whether settlements announce the orders they move on `orderChangesChannel` (Postgres `NOTIFY`), which
 * `Orders.changes` follows across nodes. Off unless a host asks (`layer({ orderChanges: true })`,
 * `TAWSIL_ORDER_CHANGES=true`): a notifying commit holds Postgres's one notify-queue lock until it has committed, so
 * notifying settlements commit one at a time (measured: README → Embedding, "settlement you can follow"). Set it alike on every
 * node of a database.
 */
export const AnnounceOrderChanges = Context.Reference<boolean>("tawsil/orders/AnnounceOrderChanges", {
  defaultValue: () => false
})
