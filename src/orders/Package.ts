import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Currency, NonNegativeAmount } from "./Money.js"
import { Name } from "./Account.js"
import { SafeText } from "./SafeText.js"

export const ProviderRef = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.-]{1,64}$/))

export const Route = Schema.Struct({
  mode: Schema.Literal("auto", "manual"),
  primary: Schema.optional(ProviderRef),
  fallback: Schema.optional(ProviderRef)
}).pipe(
  Schema.filter((route) => {
    if (route.mode === "auto" && route.primary === undefined) {
      return { path: ["primary"], message: "an auto route needs a primary provider" }
    }
    if (route.fallback !== undefined && route.fallback === route.primary) {
      return { path: ["fallback"], message: "the fallback must differ from the primary provider" }
    }
    return true
  })
)
export type Route = typeof Route.Type

const mappingOf = <T extends Schema.Schema<string>>(text: T, sku: T) =>
  Schema.Struct({
    sku,
    meta: Schema.optional(
      Schema.Struct({
        oyun: Schema.optional(text),
        kupur: Schema.optional(text),
        params: Schema.optional(
          Schema.Struct({ playerId: Schema.optional(text), extra: Schema.optional(text) })
        )
      })
    )
  })

export const Mapping = mappingOf(
  Schema.String,
  Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))
)
/** What an operator may send: the same shape, plain text only (stored values are read back as they are). */
const MappingInput = mappingOf(SafeText({ maxLength: 128 }), SafeText({ minLength: 1, maxLength: 128 }))
export type Mapping = typeof Mapping.Type

export class PutPackageRequest extends Schema.Class<PutPackageRequest>("PutPackageRequest")({
  name: Name,
  price: NonNegativeAmount,
  currency: Currency,
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  route: Route,
  mappings: Schema.optionalWith(Schema.Record({ key: ProviderRef, value: MappingInput }), {
    default: () => ({})
  })
}) {}

export class Package extends Schema.Class<Package>("Package")({
  id: Schema.String,
  name: Schema.String,
  price: NonNegativeAmount,
  currency: Currency,
  enabled: Schema.Boolean,
  route: Route,
  mappings: Schema.Record({ key: Schema.String, value: Mapping })
}) {}

export class PackageNotFound extends Schema.TaggedError<PackageNotFound>()(
  "PackageNotFound",
  { message: Schema.String, packageId: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class PackageUnavailable extends Schema.TaggedError<PackageUnavailable>()(
  "PackageUnavailable",
  { message: Schema.String, packageId: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class CurrencyMismatch extends Schema.TaggedError<CurrencyMismatch>()(
  "CurrencyMismatch",
  { message: Schema.String, packageCurrency: Currency, accountCurrency: Currency },
  HttpApiSchema.annotations({ status: 409 })
) {}
