import { Schema } from "effect"
import {
  type HttpApiBuilder,
  type HttpApiEndpoint,
  HttpApi,
  HttpApiEndpoint as Endpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  OpenApi
} from "effect/http-api"
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
import { AddCodesRequest, CodeGroupStock } from "../admin/CodeInventory.js"
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

const Limit = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 }))
const Cursor = SafeText({ minLength: 1, maxLength: 200 })
const ResourceId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/))

/**
 * A request body declared by a class: the class's fields as a struct, so the typed client sends plain objects as
 * it did in Effect 3 (an Effect 4 class encodes only its own instances); inlined in the OpenAPI document as before.
 * The handler gets the fields, not an instance.
 */
const body = <Fields extends Schema.Struct.Fields>(schema: { readonly fields: Fields }) =>
  Schema.Struct(schema.fields)

const orderId = { id: Schema.String }
const resourceId = { id: ResourceId }

/**
 * The errors every endpoint of Tawsil's own API may answer, whatever the group: bad input, unknown routes,
 * oversized or non-JSON bodies, an unreachable database (503) and internal errors (500). Effect 4 has no API-wide
 * errors, so they are this middleware's (on every endpoint of `TawsilApi`, in the OpenAPI document and the typed
 * client); `ErrorMapping.ts` implements it.
 */
export class ApiErrors extends HttpApiMiddleware.Service<ApiErrors>()("tawsil/http/ApiErrors", {
  error: [ValidationError, NotFound, PayloadTooLarge, UnsupportedMediaType, ServiceUnavailable, InternalError]
}) {}

// `ValidationError` is on every endpoint of the orders and admin groups, not only on the API: a host mounting
// these groups in its own HttpApi gets it (Effect 4 has no group-wide errors)

export class OrdersApi extends HttpApiGroup.make("orders")
  .add(
    Endpoint.post("create", "/v1/orders", {
      payload: body(CreateOrderRequest),
      headers: { "idempotency-key": Schema.optional(IdempotencyKey) },
      success: Order.pipe(HttpApiSchema.status(201)),
      error: [
        PackageNotFound,
        PackageUnavailable,
        CurrencyMismatch,
        InsufficientBalance,
        IdempotencyKeyReused,
        BalanceOutOfRange,
        RateLimited,
        ValidationError
      ]
    }).annotate(
      OpenApi.Summary,
      "Create an order; answers at once, the provider is called in the background"
    ),
    Endpoint.get("get", "/v1/orders/:id", {
      params: orderId,
      success: Order,
      error: [OrderNotFound, ValidationError]
    }),
    Endpoint.get("list", "/v1/orders", {
      query: {
        status: Schema.optional(OrderStatus),
        limit: Schema.optional(Limit),
        cursor: Schema.optional(Cursor)
      },
      success: OrderPage,
      error: ValidationError
    }),
    Endpoint.get("account", "/v1/account", { success: Account, error: ValidationError })
  )
  .middleware(AccountAuth) {}

export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    Endpoint.post("createAccount", "/v1/admin/accounts", {
      payload: body(CreateAccountRequest),
      success: CreatedAccount.pipe(HttpApiSchema.status(201)),
      error: ValidationError
    }),
    Endpoint.post("credit", "/v1/admin/accounts/:id/credit", {
      params: resourceId,
      payload: body(CreditRequest),
      success: Account,
      error: [AccountNotFound, InsufficientBalance, BalanceOutOfRange, ValidationError]
    }),
    Endpoint.put("putProvider", "/v1/admin/providers/:id", {
      params: resourceId,
      payload: PutProviderRequest,
      success: ProviderView,
      error: ValidationError
    }),
    Endpoint.get("listProviders", "/v1/admin/providers", {
      success: Schema.Array(ProviderView),
      error: ValidationError
    }),
    Endpoint.get("providerBalance", "/v1/admin/providers/:id/balance", {
      params: resourceId,
      success: ProviderBalanceView,
      error: [ProviderNotFound, ProviderCallFailed, ValidationError]
    }),
    Endpoint.get("providerCatalogue", "/v1/admin/providers/:id/catalogue", {
      params: resourceId,
      success: Schema.Array(CatalogueItemView),
      error: [ProviderNotFound, ProviderCallFailed, ValidationError]
    }).annotate(
      OpenApi.Summary,
      "The provider's live product list: the SKUs (and Znet oyun/kupur) for mappings"
    ),
    Endpoint.post("addCodes", "/v1/admin/code-groups/:id/codes", {
      params: resourceId,
      payload: body(AddCodesRequest),
      success: CodeGroupStock,
      error: ValidationError
    }),
    Endpoint.get("codeStock", "/v1/admin/code-groups", {
      success: Schema.Array(CodeGroupStock),
      error: ValidationError
    }),
    Endpoint.put("putPackage", "/v1/admin/packages/:id", {
      params: resourceId,
      payload: body(PutPackageRequest),
      success: Package,
      error: ValidationError
    }),
    Endpoint.get("listPackages", "/v1/admin/packages", {
      success: Schema.Array(Package),
      error: ValidationError
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
      error: ValidationError
    }),
    Endpoint.get("ledger", "/v1/admin/accounts/:id/ledger", {
      params: resourceId,
      query: { limit: Schema.optional(Limit), cursor: Schema.optional(Cursor) },
      success: LedgerPage,
      error: [AccountNotFound, ValidationError]
    }).annotate(
      OpenApi.Summary,
      "The account's balance changes, newest first; amounts signed (debits negative)"
    ),
    Endpoint.get("orderLog", "/v1/admin/orders/:id/log", {
      params: orderId,
      success: DispatchLog,
      error: [OrderNotFound, ValidationError]
    }).annotate(
      OpenApi.Summary,
      "The order's dispatch log, oldest first: provider calls and operator actions"
    ),
    Endpoint.post("approve", "/v1/admin/orders/:id/approve", {
      params: orderId,
      payload: body(ApproveRequest),
      success: Order,
      error: [OrderNotFound, InsufficientBalance, ValidationError]
    }).annotate(
      OpenApi.Summary,
      "Approve by hand; a rejected order is charged again (402 past the overdraft limit)"
    ),
    Endpoint.post("reject", "/v1/admin/orders/:id/reject", {
      params: orderId,
      payload: body(RejectRequest),
      success: Order,
      error: [OrderNotFound, InvalidTransition, BalanceOutOfRange, ValidationError]
    }).annotate(OpenApi.Summary, "Reject by hand and refund once; an approved order answers 409"),
    Endpoint.post("dispatch", "/v1/admin/orders/:id/dispatch", {
      params: orderId,
      payload: body(DispatchRequest),
      success: Order,
      error: [OrderNotFound, InvalidTransition, InsufficientBalance, ValidationError]
    }).annotate(
      OpenApi.Summary,
      "Send a manual or failed order again (same reference), optionally to one provider"
    ),
    Endpoint.post("check", "/v1/admin/orders/:id/check", {
      params: orderId,
      success: Order,
      error: [OrderNotFound, InvalidTransition, ProviderCallFailed, BalanceOutOfRange, ValidationError]
    }).annotate(OpenApi.Summary, "Check the order's provider now; a final answer settles a pending order"),
    Endpoint.get("dashboard", "/v1/admin/dashboard", {
      success: DashboardSummary,
      error: ValidationError
    }).annotate(OpenApi.Summary, "Operator dashboard data: state counts, manual queue, failures, providers")
  )
  .middleware(AdminAuth) {}

export class OpsApi extends HttpApiGroup.make("ops").add(
  Endpoint.get("healthz", "/healthz", { success: Schema.Struct({ status: Schema.Literal("ok") }) }),
  Endpoint.get("readyz", "/readyz", {
    success: Schema.Struct({ status: Schema.Literal("ready") }),
    error: ServiceUnavailable
  }),
  Endpoint.get("metrics", "/metrics", {
    headers: { authorization: Schema.optional(Schema.String) },
    success: Schema.String.pipe(HttpApiSchema.asText({ contentType: prometheusContentType })),
    error: Unauthorized
  }).annotate(
    OpenApi.Summary,
    "Prometheus metrics (text format 0.0.4); bearer token only if TAWSIL_METRICS_TOKEN is set"
  )
) {}

/** The one HTTP contract: the server, the OpenAPI document and the typed client all derive from it. */
export class TawsilApi extends HttpApi.make("tawsil")
  .add(OrdersApi, AdminApi, OpsApi)
  .middleware(ApiErrors)
  .annotate(OpenApi.Title, "Tawsil")
  .annotate(
    OpenApi.Description,
    "Order dispatch for digital goods: accept in milliseconds, settle by polling."
  ) {}

/** The endpoints of a group, by identifier. */
export type EndpointsOf<Group extends HttpApiGroup.Constraint> =
  HttpApiBuilder.Handlers.FromGroup<Group>["~EndpointsByIdentifier"]

/**
 * Handlers written against a group as declared here, returned for the same group inside any HttpApi: Tawsil's
 * adds `ApiErrors` to every endpoint, a host's may add its own middleware. Needs that middleware and `R`.
 */
export type GroupHandlers<
  Endpoints extends Record<string, HttpApiEndpoint.Constraint>,
  R
> = HttpApiBuilder.Handlers<
  | R
  | HttpApiEndpoint.Middleware<Endpoints[keyof Endpoints]>
  | HttpApiEndpoint.MiddlewareServices<Endpoints[keyof Endpoints]>,
  Endpoints,
  keyof Endpoints
>
