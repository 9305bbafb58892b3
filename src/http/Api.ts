import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  Account,
  AccountNotFound,
  CreateAccountRequest,
  CreatedAccount,
  CreditRequest,
  InsufficientBalance
} from "../orders/Account.js"
import {
  CreateOrderRequest,
  IdempotencyKey,
  IdempotencyKeyReused,
  Order,
  OrderNotFound,
  OrderPage,
  OrderStatus,
  DispatchState,
  InvalidTransition
} from "../orders/Order.js"
import {
  ApproveRequest,
  DispatchLog,
  DispatchRequest,
  LedgerPage,
  RejectRequest
} from "../orders/Operator.js"
import {
  CurrencyMismatch,
  Package,
  PackageNotFound,
  PackageUnavailable,
  PutPackageRequest
} from "../orders/Package.js"
import { DashboardSummary } from "../dashboard/DashboardSummary.js"
import { AddCodesRequest, CodeGroupStock } from "../providers/CodeInventory.js"
import {
  CatalogueItemView,
  ProviderBalanceView,
  ProviderCallFailed,
  ProviderNotFound,
  ProviderView,
  PutProviderRequest
} from "../providers/ProviderConfig.js"
import { AccountAuth, AdminAuth } from "./Auth.js"
import { contentType as prometheusContentType } from "../observability/PrometheusText.js"
import {
  InternalError,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  ServiceUnavailable,
  Unauthorized,
  UnsupportedMediaType
} from "./HttpErrors.js"
import { ValidationError } from "../orders/ValidationError.js"
import { BalanceOutOfRange } from "../orders/BalanceRange.js"
import { SafeText } from "../orders/SafeText.js"

const Limit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 200))
const Cursor = SafeText({ minLength: 1, maxLength: 200 })
const ResourceId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.-]{1,64}$/))

const orderId = HttpApiSchema.param("id", Schema.String)
const resourceId = HttpApiSchema.param("id", ResourceId)

export class OrdersApi extends HttpApiGroup.make("orders")
  .add(
    HttpApiEndpoint.post("create", "/v1/orders")
      .setPayload(CreateOrderRequest)
      .setHeaders(Schema.Struct({ "idempotency-key": Schema.optional(IdempotencyKey) }))
      .addSuccess(Order, { status: 201 })
      .addError(PackageNotFound)
      .addError(PackageUnavailable)
      .addError(CurrencyMismatch)
      .addError(InsufficientBalance)
      .addError(IdempotencyKeyReused)
      .addError(BalanceOutOfRange)
      .addError(RateLimited)
      .annotate(OpenApi.Summary, "Create an order; answers at once, the provider is called in the background")
  )
  .add(HttpApiEndpoint.get("get")`/v1/orders/${orderId}`.addSuccess(Order).addError(OrderNotFound))
  .add(
    HttpApiEndpoint.get("list", "/v1/orders")
      .setUrlParams(
        Schema.Struct({
          status: Schema.optional(OrderStatus),
          limit: Schema.optional(Limit),
          cursor: Schema.optional(Cursor)
        })
      )
      .addSuccess(OrderPage)
  )
  .add(HttpApiEndpoint.get("account", "/v1/account").addSuccess(Account))
  // on the group too, not only on the API: a host mounting this group in its own HttpApi gets it
  .addError(ValidationError)
  .middleware(AccountAuth) {}

export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.post("createAccount", "/v1/admin/accounts")
      .setPayload(CreateAccountRequest)
      .addSuccess(CreatedAccount, { status: 201 })
  )
  .add(
    HttpApiEndpoint.post("credit")`/v1/admin/accounts/${resourceId}/credit`
      .setPayload(CreditRequest)
      .addSuccess(Account)
      .addError(AccountNotFound)
      .addError(InsufficientBalance)
      .addError(BalanceOutOfRange)
  )
  .add(
    HttpApiEndpoint.put("putProvider")`/v1/admin/providers/${resourceId}`
      .setPayload(PutProviderRequest)
      .addSuccess(ProviderView)
  )
  .add(HttpApiEndpoint.get("listProviders", "/v1/admin/providers").addSuccess(Schema.Array(ProviderView)))
  .add(
    HttpApiEndpoint.get("providerBalance")`/v1/admin/providers/${resourceId}/balance`
      .addSuccess(ProviderBalanceView)
      .addError(ProviderNotFound)
      .addError(ProviderCallFailed)
  )
  .add(
    HttpApiEndpoint.get("providerCatalogue")`/v1/admin/providers/${resourceId}/catalogue`
      .addSuccess(Schema.Array(CatalogueItemView))
      .addError(ProviderNotFound)
      .addError(ProviderCallFailed)
      .annotate(
        OpenApi.Summary,
        "The provider's live product list: the SKUs (and Znet oyun/kupur) for mappings"
      )
  )
  .add(
    HttpApiEndpoint.post("addCodes")`/v1/admin/code-groups/${resourceId}/codes`
      .setPayload(AddCodesRequest)
      .addSuccess(CodeGroupStock)
  )
  .add(HttpApiEndpoint.get("codeStock", "/v1/admin/code-groups").addSuccess(Schema.Array(CodeGroupStock)))
  .add(
    HttpApiEndpoint.put("putPackage")`/v1/admin/packages/${resourceId}`
      .setPayload(PutPackageRequest)
      .addSuccess(Package)
  )
  .add(HttpApiEndpoint.get("listPackages", "/v1/admin/packages").addSuccess(Schema.Array(Package)))
  .add(
    HttpApiEndpoint.get("listOrders", "/v1/admin/orders")
      .setUrlParams(
        Schema.Struct({
          state: Schema.optional(DispatchState),
          status: Schema.optional(OrderStatus),
          account: Schema.optional(ResourceId),
          limit: Schema.optional(Limit),
          cursor: Schema.optional(Cursor)
        })
      )
      .addSuccess(OrderPage)
  )
  .add(
    HttpApiEndpoint.get("ledger")`/v1/admin/accounts/${resourceId}/ledger`
      .setUrlParams(Schema.Struct({ limit: Schema.optional(Limit), cursor: Schema.optional(Cursor) }))
      .addSuccess(LedgerPage)
      .addError(AccountNotFound)
      .annotate(
        OpenApi.Summary,
        "The account's balance changes, newest first; amounts signed (debits negative)"
      )
  )
  .add(
    HttpApiEndpoint.get("orderLog")`/v1/admin/orders/${orderId}/log`
      .addSuccess(DispatchLog)
      .addError(OrderNotFound)
      .annotate(
        OpenApi.Summary,
        "The order's dispatch log, oldest first: provider calls and operator actions"
      )
  )
  .add(
    HttpApiEndpoint.post("approve")`/v1/admin/orders/${orderId}/approve`
      .setPayload(ApproveRequest)
      .addSuccess(Order)
      .addError(OrderNotFound)
      .addError(InsufficientBalance)
      .annotate(
        OpenApi.Summary,
        "Approve by hand; a rejected order is charged again (402 past the overdraft limit)"
      )
  )
  .add(
    HttpApiEndpoint.post("reject")`/v1/admin/orders/${orderId}/reject`
      .setPayload(RejectRequest)
      .addSuccess(Order)
      .addError(OrderNotFound)
      .addError(InvalidTransition)
      .addError(BalanceOutOfRange)
      .annotate(OpenApi.Summary, "Reject by hand and refund once; an approved order answers 409")
  )
  .add(
    HttpApiEndpoint.post("dispatch")`/v1/admin/orders/${orderId}/dispatch`
      .setPayload(DispatchRequest)
      .addSuccess(Order)
      .addError(OrderNotFound)
      .addError(InvalidTransition)
      .addError(InsufficientBalance)
      .annotate(
        OpenApi.Summary,
        "Send a manual or failed order again (same reference), optionally to one provider"
      )
  )
  .add(
    HttpApiEndpoint.post("check")`/v1/admin/orders/${orderId}/check`
      .addSuccess(Order)
      .addError(OrderNotFound)
      .addError(InvalidTransition)
      .addError(ProviderCallFailed)
      .addError(BalanceOutOfRange)
      .annotate(OpenApi.Summary, "Check the order's provider now; a final answer settles a pending order")
  )
  .add(
    HttpApiEndpoint.get("dashboard", "/v1/admin/dashboard")
      .addSuccess(DashboardSummary)
      .annotate(OpenApi.Summary, "Operator dashboard data: state counts, manual queue, failures, providers")
  )
  .addError(ValidationError)
  .middleware(AdminAuth) {}

export class OpsApi extends HttpApiGroup.make("ops")
  .add(HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Schema.Struct({ status: Schema.Literal("ok") })))
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ready") }))
      .addError(ServiceUnavailable)
  )
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .setHeaders(Schema.Struct({ authorization: Schema.optional(Schema.String) }))
      .addSuccess(HttpApiSchema.Text({ contentType: prometheusContentType }))
      .addError(Unauthorized)
      .annotate(
        OpenApi.Summary,
        "Prometheus metrics (text format 0.0.4); bearer token only if TAWSIL_METRICS_TOKEN is set"
      )
  ) {}

/** The one HTTP contract: the server, the OpenAPI document and the typed client all derive from it. */
export class TawsilApi extends HttpApi.make("tawsil")
  .add(OrdersApi)
  .add(AdminApi)
  .add(OpsApi)
  .addError(ValidationError)
  .addError(NotFound)
  .addError(PayloadTooLarge)
  .addError(UnsupportedMediaType)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .annotate(OpenApi.Title, "Tawsil")
  .annotate(
    OpenApi.Description,
    "Order dispatch for digital goods: accept in milliseconds, settle by polling."
  ) {}
