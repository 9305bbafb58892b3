import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Dashboard } from "../dashboard/Dashboard.js"
import { Accounts } from "../orders/Accounts.js"
import { Ledger } from "../orders/Ledger.js"
import { OperatorActions } from "../orders/OperatorActions.js"
import { OrderRepo } from "../orders/OrderRepo.js"
import { Packages } from "../orders/Packages.js"
import { CodeInventory } from "../providers/CodeInventory.js"
import { ProviderBalances } from "../providers/ProviderBalances.js"
import { ProviderConfigs } from "../providers/ProviderConfigs.js"
import { type AdminApi, TawsilApi } from "./Api.js"
import { orderCursorNumber } from "../orders/Cursor.js"

/** The handlers of the `admin` group, for any HttpApi that contains it (Tawsil's own or a host's). */
export const adminHandlers = <E, R>(handlers: HttpApiBuilder.Handlers.FromGroup<E, R, typeof AdminApi>) =>
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
    return handlers
      .handle("createAccount", ({ payload }) => accounts.create(payload))
      .handle("credit", ({ path, payload }) => accounts.credit(path.id, payload))
      .handle("putProvider", ({ path, payload }) => providers.put(path.id, payload))
      .handle("listProviders", () => providers.list)
      .handle("providerBalance", ({ path }) => balances.check(path.id))
      .handle("providerCatalogue", ({ path }) => balances.catalogue(path.id))
      .handle("addCodes", ({ path, payload }) => codes.add(path.id, payload))
      .handle("codeStock", () => codes.stock)
      .handle("putPackage", ({ path, payload }) => packages.put(path.id, payload))
      .handle("listPackages", () => packages.list)
      .handle("listOrders", ({ urlParams }) =>
        Effect.flatMap(orderCursorNumber(urlParams.cursor), (before) =>
          repo.page({
            accountId: urlParams.account,
            status: urlParams.status,
            dispatchState: urlParams.state,
            before,
            limit: urlParams.limit ?? 50
          })
        )
      )
      .handle("ledger", ({ path, urlParams }) =>
        ledger.page(path.id, { ...urlParams, limit: urlParams.limit ?? 50 })
      )
      .handle("orderLog", ({ path }) => operator.log(path.id))
      .handle("approve", ({ path, payload }) => operator.approve(path.id, payload))
      .handle("reject", ({ path, payload }) => operator.reject(path.id, payload))
      .handle("dispatch", ({ path, payload }) => operator.dispatch(path.id, payload))
      .handle("check", ({ path }) => operator.check(path.id))
      .handle("dashboard", () => dashboard.summary)
  })

export const AdminHttpLive = HttpApiBuilder.group(TawsilApi, "admin", adminHandlers)
