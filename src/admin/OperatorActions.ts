import { Context, Effect, Layer, Option } from "effect"
import { AnnounceOrderChanges } from "../orders/settlement/AnnounceOrderChanges.js"
import { SqlClient, SqlError } from "effect/sql"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import { providerOrder } from "../providers/Routing.js"
import { CheckResult, ProviderTransient } from "../providers/Provider.js"
import { ProviderCallFailed } from "../providers/ProviderConfig.js"
import { Providers } from "../providers/Providers.js"
import { ResellerWords, resellerWordsFor } from "../providers/ResellerWords.js"
import { DispatchHandoff } from "../orders/DispatchHandoff.js"
import { loadDispatchJob } from "../orders/OrderLookup.js"
import { manualSettlement } from "../orders/settlement/ManualSettlement.js"
import { SettlementHook } from "../orders/settlement/SettlementHook.js"
import type { ApproveRequest, DispatchRequest, RejectRequest } from "../orders/Operator.js"
import { InvalidTransition, type Order } from "../orders/Order.js"
import { orderLog } from "../orders/OrderLog.js"
import { TawsilTables } from "../db/Tables.js"

const isSqlError = (e: unknown): e is SqlError.SqlError => SqlError.isSqlError(e)

/**
 * The operator's hands (docs/api.md §3): settle an order by hand, send it again, check its provider now.
 * Every action runs on the order row locked `for update` and decides on the status read under that lock, so an
 * operator and the engine (whose settlement is conditional on `pending`) settle an order once between them. The
 * outbox row goes with a settlement by hand: the engine's next fenced write finds nothing and its fiber stops.
 * A repeated action that already took effect moves no money and writes a `noop` row in the dispatch log.
 */
export class OperatorActions extends Context.Service<OperatorActions>()("tawsil/orders/OperatorActions", {
  make: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const t = yield* TawsilTables
    const providers = yield* Providers
    const handoff = yield* Effect.serviceOption(DispatchHandoff)
    const { checkTimeout } = Option.getOrElse(
      yield* Effect.serviceOption(DispatchConfig),
      () => DispatchConfig.defaults
    )

    const {
      notFound,
      lockOrder,
      writeLog,
      markApproved,
      approveLocked,
      rejectLocked,
      recordCheck,
      redispatchLocked
    } = manualSettlement(
      sql,
      t,
      Option.getOrUndefined(yield* Effect.serviceOption(SettlementHook)),
      yield* AnnounceOrderChanges
    )
    const readLog = orderLog(sql, t, notFound)

    const transaction = <A, E>(effect: Effect.Effect<A, E>) =>
      sql.withTransaction(effect).pipe(Effect.catchIf(isSqlError, Effect.die))

    const logged = (action: string, order: Order) =>
      Effect.logInfo("operator action").pipe(
        Effect.annotateLogs({
          module: "OperatorActions",
          orderId: order.id,
          action,
          status: order.status,
          state: order.dispatch.state
        }),
        Effect.as(order)
      )

    const approve = Effect.fn("OperatorActions.approve")(function* (
      orderId: string,
      request: ApproveRequest
    ) {
      const order = yield* transaction(
        Effect.flatMap(lockOrder(orderId), (locked) =>
          approveLocked(
            locked,
            { pin: request.pin, message: request.note },
            { action: "operator:approve", response: request.note }
          )
        )
      )
      return yield* logged("approve", order)
    })

    const reject = Effect.fn("OperatorActions.reject")(function* (orderId: string, request: RejectRequest) {
      const order = yield* transaction(
        Effect.flatMap(lockOrder(orderId), (locked) =>
          rejectLocked(locked, request.note, { action: "operator:reject", response: request.note })
        )
      )
      return yield* logged("reject", order)
    })

    /** Send a `manual` or `failed` order again (`redispatchLocked`); its fiber starts after the commit. */
    const dispatch = Effect.fn("OperatorActions.dispatch")(function* (
      orderId: string,
      request: DispatchRequest
    ) {
      const owner = Option.match(handoff, { onNone: () => null, onSome: (h) => h.nodeId })
      const { order, job } = yield* transaction(
        Effect.flatMap(lockOrder(orderId), (locked) => redispatchLocked(locked, request.providerId, owner))
      )
      // the fiber starts only after the commit, as for a new order
      if (Option.isSome(handoff)) yield* handoff.value.started([job])
      return yield* logged("dispatch", order)
    })

    /**
     * Ask the order's provider once, now, and act on a final answer: success approves, failure rejects (a pending
     * order only: a settled one is left for the operator to decide). The provider call is made outside any
     * transaction; the settlement is conditional on the status read under the row lock afterwards.
     */
    const check = Effect.fn("OperatorActions.check")(function* (orderId: string) {
      const job = yield* loadDispatchJob(sql, t, orderId)
      if (job === undefined) return yield* notFound(orderId)
      const providerId = job.providerId
      if (providerId === undefined) {
        return yield* new InvalidTransition({
          message: "the order has not been sent to a provider: nothing to check",
          status: job.status
        })
      }
      const request = { reference: job.reference }
      const answer = yield* providers.client(providerId).pipe(
        Effect.flatMap(({ client }) => client.check(providerOrder(job, providerId))),
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
      const order = yield* transaction(
        Effect.gen(function* () {
          const locked = yield* lockOrder(orderId)
          yield* writeLog(locked.id, {
            action: "check",
            providerId,
            request,
            response: result.message,
            outcome: result._tag
          })
          if (locked.status === "pending" && result._tag === "Succeeded") {
            return yield* markApproved(
              locked,
              { pin: result.pin, message: ResellerWords.delivered },
              { ...log, outcome: "approved" }
            )
          }
          if (locked.status === "pending" && result._tag === "Failed") {
            return yield* rejectLocked(locked, ResellerWords.cancelled, log)
          }
          yield* writeLog(locked.id, {
            ...log,
            outcome:
              locked.status === "pending"
                ? CheckResult.$match(result, outcomeWords)
                : `${locked.status}, not settled again`
          })
          return yield* recordCheck(locked, resellerWordsFor(result))
        })
      )
      return yield* logged("check", order)
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
  Failed: () => "rejected",
  Looped: () => "held by a Tawsil partner: its chain loops"
}
