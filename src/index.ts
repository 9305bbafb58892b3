/**
 * Tawsil's public entry, for a host service that embeds it (`import { ... } from "tawsil"`). Tests use
 * `tawsil/testing` as well (src/testing/index.ts).
 */

// the embeddable layer: Orders, OperatorActions, Accounts, Packages, ProviderConfigs, the engine; needs a SqlClient
export {
  layer,
  servicesLayer,
  TawsilLive,
  type TawsilOptions,
  type TawsilRequirements,
  type TawsilServices
} from "./embed/TawsilLayer.js"
export { DispatchConfig, type DispatchSettings } from "./dispatch/DispatchConfig.js"
// the Postgres schema of Tawsil's tables (`layer({ schema })`) and the tables in it, for a host's own statements
export { InvalidSchemaName, SchemaName } from "./db/TawsilSchema.js"
export { type Tables, TawsilTables } from "./db/Tables.js"
export { ProviderKinds } from "./providers/ProviderKinds.js"
export type { ProviderFactory, ProviderKind, ProviderKindInput } from "./providers/ProviderKinds.js"
// the limits any provider may carry in its options (spacingMs, concurrency, sendTimeoutMs, checkTimeoutMs)
export { ProviderLimitOptions, type ProviderLimits } from "./providers/ProviderLimits.js"
export type {
  ProviderCredentialsSchema,
  ProviderKindSchemas,
  ProviderOptionsSchema
} from "./providers/ProviderKindSchemas.js"
export type { ProviderRow } from "./providers/ProviderConfigs.js"

// the domain services the layer gives
export { Orders } from "./orders/Orders.js"
export { OperatorActions } from "./admin/OperatorActions.js"
export { Accounts } from "./orders/Accounts.js"
export { Packages } from "./orders/Packages.js"
export { Ledger } from "./orders/Ledger.js"
export { OrderRepo } from "./orders/OrderRepo.js"
export { CodeInventory } from "./admin/CodeInventory.js"
export { ProviderBalances } from "./admin/ProviderBalances.js"
export { Dashboard } from "./dashboard/Dashboard.js"
export { SimulatorProvider } from "./providers/Simulator.js"
export { ProviderConfigs } from "./providers/ProviderConfigs.js"
export { Dispatcher } from "./dispatch/Dispatcher.js"
export type { CreateOrderCommand, CreatedOrder, CreateOrderError } from "./orders/CreateOrder.js"
export { isSettled, OrderChange } from "./orders/OrderChanges.js"
export { type OnSettled, SettlementHookFailed } from "./orders/settlement/SettlementHook.js"
export { Callbacks } from "./callbacks/Callbacks.js"
export { CallbackSettings, type CallbackTiming } from "./callbacks/CallbackWorker.js"
export { eventIdHeader, signatureHeader, verifySignature } from "./callbacks/CallbackSignature.js"
export {
  CallbackDelivery,
  CallbackDeliveryNotFound,
  CallbackRequest,
  CallbackSet,
  DeliveryState
} from "./callbacks/CallbackSchemas.js"

// schemas and errors
export {
  Account,
  AccountId,
  AccountNotFound,
  CreateAccountRequest,
  CreatedAccount,
  CreditRequest,
  InsufficientBalance
} from "./orders/Account.js"
export {
  CreateOrderRequest,
  DispatchState,
  IdempotencyKeyReused,
  InvalidTransition,
  Order,
  OrderId,
  OrderNotFound,
  OrderPage,
  OrderStatus
} from "./orders/Order.js"
export { ApproveRequest, DispatchLog, DispatchRequest, RejectRequest } from "./orders/Operator.js"
export {
  CurrencyMismatch,
  Mapping,
  Package,
  PackageNotFound,
  PackageUnavailable,
  PutPackageRequest,
  Route
} from "./orders/Package.js"
export { ProviderCallFailed, PutProviderRequest, ProviderView } from "./providers/ProviderConfig.js"
export { ValidationError } from "./orders/ValidationError.js"
export { Forbidden, NotFound, Unauthorized } from "./http/HttpErrors.js"

// the provider port, for hosts adding a provider kind
export {
  CheckResult,
  PlaceResult,
  ProviderAmbiguous,
  type ProviderClient,
  type ProviderError,
  ProviderMisconfigured,
  type ProviderOrder,
  ProviderRejected,
  ProviderTransient,
  ProviderUnavailable
} from "./providers/Provider.js"

// HTTP: the contract, its groups and handlers (to mount in a host's HttpApi), authentication, the typed client
export { AdminApi, OpsApi, OrdersApi, TawsilApi } from "./http/Api.js"
export { AccountAuth, AdminAuth, CurrentAccount } from "./http/Auth.js"
export { ordersHandlers } from "./http/OrdersHttp.js"
export { adminHandlers } from "./http/AdminHttp.js"
export { opsHandlers } from "./http/OpsHttp.js"
export { MetricsEndpoint } from "./http/MetricsEndpoint.js"
export { authLayer, httpLayer } from "./embed/TawsilHttp.js"
// Tawsil's answers to bad requests in a host's HttpApi too (a 400 ValidationError naming the field; JSON 404, 413,
// 415, 503, 500): the API declares `.middleware(ApiErrors)`, and `ErrorMappingLive` is provided to its groups
export { ApiErrors } from "./http/ApiErrors.js"
export { ErrorMappingLive } from "./http/ErrorMapping.js"
export { makeClient, type TawsilClient } from "./embed/TawsilClient.js"
