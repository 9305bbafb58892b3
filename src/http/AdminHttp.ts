import { Effect } from "effect"
import { HttpApiBuilder, type HttpApiMiddleware } from "effect/http-api"
import { Callbacks } from "../callbacks/Callbacks.js"
import { Dashboard } from "../dashboard/Dashboard.js"
import { Accounts } from "../orders/Accounts.js"
import { Ledger } from "../orders/Ledger.js"
import { OperatorActions } from "../admin/OperatorActions.js"
import { OrderRepo } from "../orders/OrderRepo.js"
import { Packages } from "../orders/Packages.js"
import { CodeInventory } from "../admin/CodeInventory.js"
import { ProviderBalances } from "../admin/ProviderBalances.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { TawsilApi } from "./Api.js"
import type { AdminApi } from "./AdminApi.js"
import type { MountedEndpoints } from "./MountedGroup.js"
import { orderCursorNumber } from "../orders/Cursor.js"

/** The handlers of the `admin` group, for any HttpApi that contains it (Tawsil's own or a host's). */
export const adminHandlers = <Added extends HttpApiMiddleware.AnyId = never>(
  handlers: HttpApiBuilder.Handlers<never, MountedEndpoints<typeof AdminApi, Added>>
) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const providers = yield* ProviderConfigs
    const packages = yield* Packages
    const repo = yield* OrderRepo
    const codes = yield* CodeInventory
    const balances = yield* ProviderBalances
    const operator = yield* OperatorActions
    const ledger = yield* Ledger
    const dashboard = yield* Dashboard
    const callbacks = yield* Callbacks
    return handlers
      .handle("createAccount", ({ payload }) => accounts.create(payload))
      .handle("credit", ({ params, payload }) => accounts.credit(params.id, payload))
      .handle("putAccountCallback", ({ params, payload }) => callbacks.set(params.id, payload))
      .handle("deleteAccountCallback", ({ params }) => callbacks.remove(params.id))
      .handle("listCallbacks", ({ query }) => callbacks.list(query.state))
      .handle("replayCallback", ({ params }) => callbacks.replay(params.id))
      .handle("putProvider", ({ params, payload }) => providers.put(params.id, payload))
      .handle("listProviders", () => providers.list)
      .handle("providerBalance", ({ params }) => balances.check(params.id))
      .handle("providerCatalogue", ({ params }) => balances.catalogue(params.id))
      .handle("addCodes", ({ params, payload }) => codes.add(params.id, payload))
      .handle("codeStock", () => codes.stock)
      .handle("putPackage", ({ params, payload }) => packages.put(params.id, payload))
      .handle("listPackages", () => packages.list)
      .handle("listOrders", ({ query }) =>
        Effect.flatMap(orderCursorNumber(query.cursor), (before) =>
          repo.page({
            accountId: query.account,
            status: query.status,
            dispatchState: query.state,
            before,
            limit: query.limit ?? 50
          })
        )
      )
      .handle("ledger", ({ params, query }) => ledger.page(params.id, { ...query, limit: query.limit ?? 50 }))
      .handle("orderLog", ({ params }) => operator.log(params.id))
      .handle("approve", ({ params, payload }) => operator.approve(params.id, payload))
      .handle("reject", ({ params, payload }) => operator.reject(params.id, payload))
      .handle("dispatch", ({ params, payload }) => operator.dispatch(params.id, payload))
      .handle("check", ({ params }) => operator.check(params.id))
      .handle("dashboard", () => dashboard.summary)
  })

export const AdminHttpLive = HttpApiBuilder.group(TawsilApi, "admin", adminHandlers)
