import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Name } from "../orders/Account.js"

const BaseUrl = Schema.String.pipe(
  Schema.pattern(/^https?:\/\/[^\s]+$/, { message: () => "must be an http(s) URL" }),
  Schema.maxLength(500)
)
const Secret = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(500))
const enabled = Schema.optionalWith(Schema.Boolean, { default: () => true })

export const ZnetProviderRequest = Schema.Struct({
  kind: Schema.Literal("znet"),
  name: Name,
  baseUrl: BaseUrl,
  credentials: Schema.Struct({ kod: Secret, sifre: Secret }),
  enabled,
  options: Schema.optionalWith(Schema.Struct({ defaultPhone: Schema.optional(Schema.String) }), {
    default: () => ({})
  })
})

export const BarakatProviderRequest = Schema.Struct({
  kind: Schema.Literal("barakat"),
  name: Name,
  baseUrl: BaseUrl,
  credentials: Schema.Struct({ apiToken: Secret }),
  enabled,
  options: Schema.optionalWith(Schema.Struct({}), { default: () => ({}) })
})

export const CodesProviderRequest = Schema.Struct({
  kind: Schema.Literal("codes"),
  name: Name,
  enabled,
  options: Schema.Struct({ groupId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)) })
})

export const SimulatorOptions = Schema.Struct({
  sendLatencyMs: Schema.optional(Schema.Int.pipe(Schema.between(0, 120_000))),
  checksBeforeFinal: Schema.optional(Schema.Int.pipe(Schema.between(0, 10_000))),
  outcome: Schema.optional(Schema.Literal("success", "failure", "mixed"))
})
export type SimulatorOptions = typeof SimulatorOptions.Type

export const SimulatorProviderRequest = Schema.Struct({
  kind: Schema.Literal("simulator"),
  name: Name,
  enabled,
  options: Schema.optionalWith(SimulatorOptions, { default: () => ({}) })
})

export const PutProviderRequest = Schema.Union(
  ZnetProviderRequest,
  BarakatProviderRequest,
  CodesProviderRequest,
  SimulatorProviderRequest
)
export type PutProviderRequest = typeof PutProviderRequest.Type

/** What the API shows of a provider: never its credentials. */
export class ProviderView extends Schema.Class<ProviderView>("ProviderView")({
  id: Schema.String,
  /** a built-in kind (`znet`, `barakat`, `codes`, `simulator`), or one a host service added with `ProviderKinds` */
  kind: Schema.String,
  name: Schema.String,
  baseUrl: Schema.optional(Schema.String),
  enabled: Schema.Boolean,
  options: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  hasCredentials: Schema.Boolean
}) {}

export class ProviderNotFound extends Schema.TaggedError<ProviderNotFound>()(
  "ProviderNotFound",
  { message: Schema.String, providerId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class ProviderBalanceView extends Schema.Class<ProviderBalanceView>("ProviderBalanceView")({
  providerId: Schema.String,
  balance: Schema.String,
  currency: Schema.optional(Schema.String),
  checkedAt: Schema.DateTimeUtc
}) {}

/** One product of a provider's catalogue; `sku` (and for Znet `meta`) is what a package mapping needs. */
export class CatalogueItemView extends Schema.Class<CatalogueItemView>("CatalogueItemView")({
  sku: Schema.String,
  name: Schema.String,
  price: Schema.optional(Schema.String),
  available: Schema.optional(Schema.Boolean),
  params: Schema.optional(Schema.Array(Schema.String)),
  meta: Schema.optional(Schema.Struct({ oyun: Schema.String, kupur: Schema.String }))
}) {}

/** The provider did not give a usable answer; `reason` is the error tag (transient, misconfigured, …). */
export class ProviderCallFailed extends Schema.TaggedError<ProviderCallFailed>()(
  "ProviderCallFailed",
  { message: Schema.String, providerId: Schema.String, reason: Schema.String },
  HttpApiSchema.annotations({ status: 502 })
) {}
