import { Effect, Schema } from "effect"
import { Name } from "../orders/Account.js"

export const BaseUrl = Schema.String.check(
  Schema.isPattern(/^https?:\/\/[^\s]+$/, { message: "must be an http(s) URL" }),
  Schema.isMaxLength(500)
)
const Secret = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500))
const enabled = Schema.Boolean.pipe(
  Schema.withDecodingDefaultType(Effect.succeed(true)),
  Schema.withConstructorDefault(Effect.succeed(true))
)

// the options and credentials of the built-in kinds (docs/api.md §4); `BuiltInKinds.ts` registers them
export const NoOptions = Schema.Struct({})
export const NoCredentials = Schema.Struct({})
export const ZnetOptions = Schema.Struct({ defaultPhone: Schema.optionalKey(Schema.String) })
export const ZnetCredentials = Schema.Struct({ kod: Secret, sifre: Secret })
export const BarakatCredentials = Schema.Struct({ apiToken: Secret })
export const CodesOptions = Schema.Struct({
  groupId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64))
})
export const SimulatorOptions = Schema.Struct({
  sendLatencyMs: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 120_000 }))),
  checksBeforeFinal: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 10_000 }))),
  outcome: Schema.optionalKey(Schema.Literals(["success", "failure", "mixed"]))
})
export type SimulatorOptions = typeof SimulatorOptions.Type

/** What a kind without an options schema takes: any JSON object. */
export const AnyOptions = Schema.Record(Schema.String, Schema.Unknown)
/** What a kind without a credentials schema takes: strings by name. */
export const AnyCredentials = Schema.Record(Schema.String, Schema.String)

/**
 * The body of `PUT /v1/admin/providers/{id}`, for any registered kind (`ProviderKinds`). Only its shape is
 * checked here; `ProviderConfigs.put` checks `baseUrl`, `credentials` and `options` by the kind's schemas.
 */
export const PutProviderRequest = Schema.Struct({
  /** a built-in kind (`znet`, `barakat`, `codes`, `simulator`), or one a host service added with `ProviderKinds` */
  kind: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(64)),
  name: Name,
  baseUrl: Schema.optionalKey(Schema.String),
  credentials: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  enabled,
  /** the kind's own options, and any provider's limits (`spacingMs`, `concurrency`, `sendTimeoutMs`, `checkTimeoutMs`) */
  options: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
})
export type PutProviderRequest = typeof PutProviderRequest.Type

/** What the API shows of a provider: never its credentials. */
export class ProviderView extends Schema.Class<ProviderView>("ProviderView")({
  id: Schema.String,
  /** a built-in kind (`znet`, `barakat`, `codes`, `simulator`), or one a host service added with `ProviderKinds` */
  kind: Schema.String,
  name: Schema.String,
  baseUrl: Schema.optionalKey(Schema.String),
  enabled: Schema.Boolean,
  options: Schema.Record(Schema.String, Schema.Unknown),
  hasCredentials: Schema.Boolean
}) {}

export class ProviderNotFound extends Schema.TaggedError<ProviderNotFound>()(
  "ProviderNotFound",
  { message: Schema.String, providerId: Schema.String },
  { httpApiStatus: 404 }
) {}

export class ProviderBalanceView extends Schema.Class<ProviderBalanceView>("ProviderBalanceView")({
  providerId: Schema.String,
  balance: Schema.String,
  currency: Schema.optionalKey(Schema.String),
  checkedAt: Schema.DateTimeUtcFromString
}) {}

/** One product of a provider's catalogue; `sku` (and for Znet `meta`) is what a package mapping needs. */
export class CatalogueItemView extends Schema.Class<CatalogueItemView>("CatalogueItemView")({
  sku: Schema.String,
  name: Schema.String,
  price: Schema.optionalKey(Schema.String),
  available: Schema.optionalKey(Schema.Boolean),
  params: Schema.optionalKey(Schema.Array(Schema.String)),
  meta: Schema.optionalKey(Schema.Struct({ oyun: Schema.String, kupur: Schema.String }))
}) {}

/** The provider did not give a usable answer; `reason` is the error tag (transient, misconfigured, …). */
export class ProviderCallFailed extends Schema.TaggedError<ProviderCallFailed>()(
  "ProviderCallFailed",
  { message: Schema.String, providerId: Schema.String, reason: Schema.String },
  { httpApiStatus: 502 }
) {}
