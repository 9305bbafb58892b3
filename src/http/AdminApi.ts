import { Schema } from "effect"
import { HttpApiEndpoint as Endpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { AddCodesRequest, CodeGroupStock } from "../admin/CodeInventory.js"
import {
  CallbackDelivery,
  CallbackDeliveryNotFound,
  CallbackRequest,
  CallbackSet,
  DeliveryState
} from "../callbacks/CallbackSchemas.js"
import { DashboardSummary } from "../dashboard/DashboardSummary.js"
import {
  Account,
  AccountNotFound,
  CreateAccountRequest,
  CreatedAccount,
  CreditRequest,
  InsufficientBalance
} from "../orders/Account.js"
import { BalanceOutOfRange } from "../orders/BalanceRange.js"
import {
  ApproveRequest,
  DispatchLog,
  DispatchRequest,
  LedgerPage,
  RejectRequest
} from "../orders/Operator.js"
import {
  DispatchState,
  InvalidTransition,
  Order,
  OrderNotFound,
  OrderPage,
  OrderStatus
} from "../orders/Order.js"
import { Package, PutPackageRequest } from "../orders/Package.js"
import {
  CatalogueItemView,
  ProviderBalanceView,
  ProviderCallFailed,
  ProviderNotFound,
  ProviderView,
  PutProviderRequest
} from "../providers/ProviderConfig.js"
import { ValidationError } from "../orders/ValidationError.js"
import { AdminAuth } from "./Auth.js"
import { body, Cursor, Limit, orderIdParams, ResourceId, resourceIdParams } from "./EndpointInputs.js"

/** The errors every endpoint of the group may answer besides its own, listed last on each (see `OrdersApi.ts`). */
const groupErrors = [ValidationError] as const

/** The operator's routes, `/v1/admin/…`; behind the admin token (`AdminAuth`). */
export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    Endpoint.post("createAccount", "/v1/admin/accounts", {
      payload: body(CreateAccountRequest),
      success: CreatedAccount.pipe(HttpApiSchema.status(201)),
      error: groupErrors
    }),
    Endpoint.post("credit", "/v1/admin/accounts/:id/credit", {
      params: resourceIdParams,
      payload: body(CreditRequest),
      success: Account,
      error: [AccountNotFound, InsufficientBalance, BalanceOutOfRange, ...groupErrors]
    }),
    Endpoint.put("putAccountCallback", "/v1/admin/accounts/:id/callback", {
      params: resourceIdParams,
      payload: body(CallbackRequest),
      success: CallbackSet,
      error: [AccountNotFound, ...groupErrors]
    }).annotate(OpenApi.Summary, "Set an account's settlement callback; the secret is shown only here"),
    Endpoint.delete("deleteAccountCallback", "/v1/admin/accounts/:id/callback", {
      params: resourceIdParams,
      error: [AccountNotFound, ...groupErrors]
    }),
    Endpoint.get("listCallbacks", "/v1/admin/callbacks", {
      query: { state: Schema.optional(DeliveryState) },
      success: Schema.Array(CallbackDelivery),
      error: groupErrors
    }).annotate(OpenApi.Summary, "Settlement callback deliveries, newest first (at most 200)"),
    Endpoint.post("replayCallback", "/v1/admin/callbacks/:id/replay", {
      params: { id: Schema.String },
      success: CallbackDelivery,
      error: [CallbackDeliveryNotFound, ...groupErrors]
    }).annotate(OpenApi.Summary, "Deliver a callback again: pending, due now"),
    Endpoint.put("putProvider", "/v1/admin/providers/:id", {
      params: resourceIdParams,
      payload: PutProviderRequest,
      success: ProviderView,
      error: groupErrors
    }).annotate(
      OpenApi.Summary,
      "Save a provider of any registered kind; baseUrl, credentials and options checked by the kind's schemas"
    ),
    Endpoint.get("listProviders", "/v1/admin/providers", {
      success: Schema.Array(ProviderView),
      error: groupErrors
    }),
    Endpoint.get("providerBalance", "/v1/admin/providers/:id/balance", {
      params: resourceIdParams,
      success: ProviderBalanceView,
      error: [ProviderNotFound, ProviderCallFailed, ...groupErrors]
    }),
    Endpoint.get("providerCatalogue", "/v1/admin/providers/:id/catalogue", {
      params: resourceIdParams,
      success: Schema.Array(CatalogueItemView),
      error: [ProviderNotFound, ProviderCallFailed, ...groupErrors]
    }).annotate(
      OpenApi.Summary,
      "The provider's live product list: the SKUs (and Znet oyun/kupur) for mappings"
    ),
    Endpoint.post("addCodes", "/v1/admin/code-groups/:id/codes", {
      params: resourceIdParams,
      payload: body(AddCodesRequest),
      success: CodeGroupStock,
      error: groupErrors
    }),
    Endpoint.get("codeStock", "/v1/admin/code-groups", {
      success: Schema.Array(CodeGroupStock),
      error: groupErrors
    }),
    Endpoint.put("putPackage", "/v1/admin/packages/:id", {
      params: resourceIdParams,
      payload: body(PutPackageRequest),
      success: Package,
      error: groupErrors
    }),
    Endpoint.get("listPackages", "/v1/admin/packages", {
      success: Schema.Array(Package),
      error: groupErrors
    }),
    Endpoint.get("listOrders", "/v1/admin/orders", {
      query: {
        state: Schema.optional(DispatchState),
        status: Schema.optional(OrderStatus),
        account: Schema.optional(ResourceId),
        limit: Schema.optional(Limit),
        cursor: Schema.optional(Cursor)
      },
      success: OrderPage,
      error: groupErrors
    }),
    Endpoint.get("ledger", "/v1/admin/accounts/:id/ledger", {
      params: resourceIdParams,
      query: { limit: Schema.optional(Limit), cursor: Schema.optional(Cursor) },
      success: LedgerPage,
      error: [AccountNotFound, ...groupErrors]
    }).annotate(
      OpenApi.Summary,
      "The account's balance changes, newest first; amounts signed (debits negative)"
    ),
    Endpoint.get("orderLog", "/v1/admin/orders/:id/log", {
      params: orderIdParams,
      success: DispatchLog,
      error: [OrderNotFound, ...groupErrors]
    }).annotate(
      OpenApi.Summary,
      "The order's dispatch log, oldest first: provider calls and operator actions"
    ),
    Endpoint.post("approve", "/v1/admin/orders/:id/approve", {
      params: orderIdParams,
      payload: body(ApproveRequest),
      success: Order,
      error: [OrderNotFound, InsufficientBalance, ...groupErrors]
    }).annotate(
      OpenApi.Summary,
      "Approve by hand; a rejected order is charged again (402 past the overdraft limit)"
    ),
    Endpoint.post("reject", "/v1/admin/orders/:id/reject", {
      params: orderIdParams,
      payload: body(RejectRequest),
      success: Order,
      error: [OrderNotFound, InvalidTransition, BalanceOutOfRange, ...groupErrors]
    }).annotate(OpenApi.Summary, "Reject by hand and refund once; an approved order answers 409"),
    Endpoint.post("dispatch", "/v1/admin/orders/:id/dispatch", {
      params: orderIdParams,
      payload: body(DispatchRequest),
      success: Order,
      error: [OrderNotFound, InvalidTransition, InsufficientBalance, ...groupErrors]
    }).annotate(
      OpenApi.Summary,
      "Send a manual or failed order again (same reference), optionally to one provider"
    ),
    Endpoint.post("check", "/v1/admin/orders/:id/check", {
      params: orderIdParams,
      success: Order,
      error: [OrderNotFound, InvalidTransition, ProviderCallFailed, BalanceOutOfRange, ...groupErrors]
    }).annotate(OpenApi.Summary, "Check the order's provider now; a final answer settles a pending order"),
    Endpoint.get("dashboard", "/v1/admin/dashboard", {
      success: DashboardSummary,
      error: groupErrors
    }).annotate(OpenApi.Summary, "Operator dashboard data: state counts, manual queue, failures, providers")
  )
  .middleware(AdminAuth) {}
