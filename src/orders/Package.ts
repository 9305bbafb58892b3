import { Effect, Schema } from "effect"
import { Currency, NonNegativeAmount } from "./Money.js"
import { Name } from "./Account.js"
import { SafeText } from "./SafeText.js"

export const ProviderRef = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/))

export const Route = Schema.Struct({
  mode: Schema.Literals(["auto", "manual"]),
  primary: Schema.optionalKey(ProviderRef),
  fallback: Schema.optionalKey(ProviderRef)
}).check(
  Schema.makeFilter((route) => {
    if (route.mode === "auto" && route.primary === undefined) {
      return { path: ["primary"], issue: "an auto route needs a primary provider" }
    }
    if (route.fallback !== undefined && route.fallback === route.primary) {
      return { path: ["fallback"], issue: "the fallback must differ from the primary provider" }
    }
    return true
  })
)
export type Route = typeof Route.Type

const mappingOf = <T extends Schema.Codec<string>>(text: T, sku: T) =>
  Schema.Struct({
    sku,
    meta: Schema.optionalKey(
      Schema.Struct({
        oyun: Schema.optionalKey(text),
        kupur: Schema.optionalKey(text),
        params: Schema.optionalKey(
          Schema.Struct({ playerId: Schema.optionalKey(text), extra: Schema.optionalKey(text) })
        )
      })
    )
  })

export const Mapping = mappingOf(
  Schema.String,
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128))
)
/** What an operator may send: the same shape, plain text only (stored values are read back as they are). */
const MappingInput = mappingOf(SafeText({ maxLength: 128 }), SafeText({ minLength: 1, maxLength: 128 }))
export type Mapping = typeof Mapping.Type

export class PutPackageRequest extends Schema.Class<PutPackageRequest>("PutPackageRequest")({
  name: Name,
  price: NonNegativeAmount,
  currency: Currency,
  enabled: Schema.Boolean.pipe(
    Schema.withDecodingDefaultType(Effect.succeed(true)),
    Schema.withConstructorDefault(Effect.succeed(true))
  ),
  route: Route,
  mappings: Schema.Record(ProviderRef, MappingInput).pipe(
    Schema.withDecodingDefaultType(Effect.succeed({})),
    Schema.withConstructorDefault(Effect.succeed({}))
  )
}) {}

export class Package extends Schema.Class<Package>("Package")({
  id: Schema.String,
  name: Schema.String,
  price: NonNegativeAmount,
  currency: Currency,
  enabled: Schema.Boolean,
  route: Route,
  mappings: Schema.Record(Schema.String, Mapping)
}) {}

export class PackageNotFound extends Schema.TaggedError<PackageNotFound>()(
  "PackageNotFound",
  { message: Schema.String, packageId: Schema.String },
  { httpApiStatus: 404 }
) {}

export class PackageUnavailable extends Schema.TaggedError<PackageUnavailable>()(
  "PackageUnavailable",
  { message: Schema.String, packageId: Schema.String },
  { httpApiStatus: 409 }
) {}

export class CurrencyMismatch extends Schema.TaggedError<CurrencyMismatch>()(
  "CurrencyMismatch",
  { message: Schema.String, packageCurrency: Currency, accountCurrency: Currency },
  { httpApiStatus: 409 }
) {}
