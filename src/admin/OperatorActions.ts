import { Context, Effect, Layer, Option } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import { providerOrder } from "../providers/Routing.js"
import { ValidationError } from "../orders/ValidationError.js"
import { CheckResult, ProviderTransient } from "../providers/Provider.js"
import { ProviderCallFailed } from "../providers/ProviderConfig.js"
import { Providers } from "../providers/Providers.js"
import { ResellerWords, resellerWordsFor } from "../providers/ResellerWords.js"
import { DispatchHandoff, type NewOrderJob } from "../orders/DispatchHandoff.js"
import { isUuid, manualSettlement } from "../orders/ManualSettlement.js"
import type { ApproveRequest, DispatchRequest, RejectRequest } from "../orders/Operator.js"
import { InvalidTransition } from "../orders/Order.js"
import { orderLog } from "../orders/OrderLog.js"
import { type OrderRow, toOrder } from "../orders/OrderRow.js"

const isSqlError = (e: unknown): e is SqlError.SqlError => SqlError.isSqlError(e)

/**
 * The operator's hands (API.md, admin endpoints): settle an order by hand, send it again, check its provider now.
 * Every action runs on the order row locked `for update` and decides on the status read under that lock, so an
 * operator and the engine (whose settlement is conditional on `pending`) settle an order once between them. The
 * outbox row goes with a settlement by hand: the engine's next fenced write finds nothing and its fiber stops.
 * A repeated action that already took effect moves no money and writes a `noop` row in the dispatch log.
 */
export class OperatorActions extends Context.Service<OperatorActions>()("tawsil/orders/OperatorActions", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const providers = yield* Providers
    const handoff = yield* Effect.serviceOption(DispatchHandoff)
    const { checkTimeout } = Option.getOrElse(
      yield* Effect.serviceOption(DispatchConfig),
      () => DispatchConfig.defaults
    )

    const { notFound, lockOrder, writeLog, redebit, markApproved, approveLocked, rejectLocked } =
      manualSettlement(sql)
    const readLog = orderLog(sql, notFound)

    const transaction = <A, E>(effect: Effect.Effect<A, E>) =>
      sql.withTransaction(effect).pipe(Effect.catchIf(isSqlError, Effect.die))

    const logged = (action: string, row: OrderRow) =>
      Effect.logInfo("operator action").pipe(
        Effect.annotateLogs({
          module: "OperatorActions",
          orderId: row.id,
          action,
          status: row.status,
          state: row.dispatch_state
        }),
        Effect.as(toOrder(row))
      )

    const approve = Effect.fn("OperatorActions.approve")(function* (
      orderId: string,
      request: ApproveRequest
    ) {
      const row = yield* transaction(
        Effect.flatMap(lockOrder(orderId), (row) =>
          approveLocked(
            row,
            { pin: request.pin, message: request.note },
            { action: "operator:approve", response: request.note }
          )
        )
      )
      return yield* logged("approve", row)
    })

    const reject = Effect.fn("OperatorActions.reject")(function* (orderId: string, request: RejectRequest) {
      const row = yield* transaction(
        Effect.flatMap(lockOrder(orderId), (row) =>
          rejectLocked(row, request.note, { action: "operator:reject", response: request.note })
        )
      )
      return yield* logged("reject", row)
    })

    /**
     * Send a `manual` or `failed` order again, to `providerId` only or along its package route; a refunded order
     * is charged again first. The reference never changes. A `manual` order going back to the provider it was
     * last at may be there already (e.g. the poll deadline passed): it is queued as `sending`, so the engine
     * checks by reference before any re-send (DOMAIN.md §4 rule 3). Any other is queued as `queued`: a send.
     */
    const dispatch = Effect.fn("OperatorActions.dispatch")(function* (
      orderId: string,
      request: DispatchRequest
    ) {
      const providerId = request.providerId
      const owner = Option.match(handoff, { onNone: () => null, onSome: (h) => h.nodeId })
      const job = yield* transaction(
        Effect.gen(function* () {
          const row = yield* lockOrder(orderId)
          if (
            row.status === "approved" ||
            (row.dispatch_state !== "manual" && row.dispatch_state !== "failed")
          ) {
            return yield* new InvalidTransition({
              message: `only a manual or failed order can be dispatched again; this one is ${row.dispatch_state}`,
              status: row.status
            })
          }
          if (providerId !== undefined) {
            const found = yield* sql`select 1 from providers where id = ${providerId}`.pipe(Effect.orDie)
            if (found.length === 0) {
              return yield* new ValidationError({
                field: "providerId",
                message: `unknown provider "${providerId}"`
              })
            }
          }
          if (row.status === "rejected") yield* redebit(row, "re-dispatched by an operator")
          const checkFirst =
            row.dispatch_state === "manual" &&
            row.provider_id !== null &&
            (providerId === undefined || providerId === row.provider_id)
          yield* sql`
            update orders set status = 'pending', dispatch_state = ${checkFirst ? "sending" : "queued"},
                              route_override = ${providerId ?? null},
                              provider_id = ${checkFirst ? row.provider_id : null},
                              provider_order_id = ${checkFirst ? row.provider_order_id : null},
                              fallback_from = null, pin = null, message = null, completed_at = null,
                              sent_at = null, last_checked_at = null,
                              last_message = 'dispatched again by an operator'
            where id = ${row.id}`.pipe(Effect.orDie)
          // owned by this node's engine at once (fence 1, as for new orders: the handoff starts its fiber with
          // that lease), or unowned with a fence above any earlier one for whichever engine claims it
          yield* sql`
            insert into outbox (order_id, owner_node, fence, claimed_at)
            values (${row.id}, ${owner}::text,
                    case when ${owner}::text is null then (extract(epoch from now()) * 1000)::bigint else 1 end,
                    case when ${owner}::text is null then null else now() end)
            on conflict (order_id) do update set
              owner_node = excluded.owner_node, fence = excluded.fence, claimed_at = excluded.claimed_at`.pipe(
            Effect.orDie
          )
          yield* writeLog(row.id, {
            action: "operator:dispatch",
            outcome: `${checkFirst ? "requeued, check first" : "requeued"}${row.status === "rejected" ? ", re-debited" : ""}`,
            response: providerId,
            providerId
          })
          const jobs = yield* sql<NewOrderJob>`
            select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings
            from orders o join packages p on p.id = o.package_id where o.id = ${row.id}`.pipe(Effect.orDie)
          return jobs[0]!
        })
      )
      // the fiber starts only after the commit, as for a new order
      if (Option.isSome(handoff)) yield* handoff.value.started([job])
      return yield* logged("dispatch", job)
    })

    /**
     * Ask the order's provider once, now, and act on a final answer: success approves, failure rejects (a pending
     * order only: a settled one is left for the operator to decide). The provider call is made outside any
     * transaction; the settlement is conditional on the status read under the row lock afterwards.
     */
    const check = Effect.fn("OperatorActions.check")(function* (orderId: string) {
      const found = yield* (
        isUuid(orderId)
          ? sql<NewOrderJob>`
              select o.*, p.route_mode, p.primary_provider, p.fallback_provider, p.mappings
              from orders o join packages p on p.id = o.package_id where o.id = ${orderId}`
          : Effect.succeed([])
      ).pipe(Effect.orDie)
      const job = found[0]
      if (job === undefined) return yield* notFound(orderId)
      const providerId = job.provider_id
      if (providerId === null) {
        return yield* new InvalidTransition({
          message: "the order has not been sent to a provider: nothing to check",
          status: job.status
        })
      }
      const order = providerOrder(job, providerId)
      const request = { reference: job.reference }
      const answer = yield* providers.client(providerId).pipe(
        Effect.flatMap(({ client }) => client.check(order)),
        Effect.timeoutOrElse({
          duration: checkTimeout,
          orElse: () => Effect.fail(new ProviderTransient({ message: "no answer before the check timeout" }))
        }),
        Effect.result
      )
      if (answer._tag === "Failure") {
        const error = answer.failure
        yield* writeLog(job.id, {
          action: "check",
          providerId,
          request,
          response: error.message,
          outcome: error._tag
        })
        yield* writeLog(job.id, { action: "operator:check", providerId, outcome: "provider call failed" })
        return yield* new ProviderCallFailed({ message: error.message, providerId, reason: error._tag })
      }
      const result = answer.success
      const log = { action: "operator:check", providerId, response: result.message } as const
      const row = yield* transaction(
        Effect.gen(function* () {
          const row = yield* lockOrder(orderId)
          yield* writeLog(row.id, {
            action: "check",
            providerId,
            request,
            response: result.message,
            outcome: result._tag
          })
          if (row.status === "pending" && result._tag === "Succeeded") {
            return yield* markApproved(
              row,
              { pin: result.pin, message: ResellerWords.delivered },
              { ...log, outcome: "approved" }
            )
          }
          if (row.status === "pending" && result._tag === "Failed") {
            return yield* rejectLocked(row, ResellerWords.cancelled, log)
          }
          yield* writeLog(row.id, {
            ...log,
            outcome:
              row.status === "pending"
                ? CheckResult.$match(result, outcomeWords)
                : `${row.status}, not settled again`
          })
          return yield* sql<OrderRow>`
            update orders set last_message = ${resellerWordsFor(result)}, last_checked_at = now()
            where id = ${row.id} returning *`.pipe(
            Effect.orDie,
            Effect.map((rows) => rows[0]!)
          )
        })
      )
      return yield* logged("check", row)
    })

    /** The order's dispatch log, oldest first: the engine's provider calls and the operators' actions. */
    const log = Effect.fn("OperatorActions.log")(readLog)

    return { approve, reject, dispatch, check, log } as const
  })
}) {
  static readonly layer = Layer.effect(this, this.make)
}

const outcomeWords = {
  Pending: () => "pending",
  NotFound: () => "provider does not know the reference",
  Succeeded: () => "approved",
  Failed: () => "rejected"
}
