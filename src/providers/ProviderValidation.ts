import { Effect, Schema } from "effect"
import { ValidationError, validationErrorOf } from "../orders/ValidationError.js"
import { AnyCredentials, AnyOptions, BaseUrl, PutProviderRequest } from "./ProviderConfig.js"
import type { ProviderKindSchemas } from "./ProviderKindSchemas.js"
import { ProviderLimitOptions, splitLimits } from "./ProviderLimits.js"

/** A provider as it is stored: every part checked by its kind's schemas. */
export interface ValidProvider {
  readonly kind: string
  readonly name: string
  readonly baseUrl: string | null
  readonly credentials: { readonly [key: string]: string }
  readonly options: { readonly [key: string]: unknown }
  readonly enabled: boolean
}

/** The first issue, its path under `prefix` as the field (the whole request: "request"). */
const toValidationError = (prefix: ReadonlyArray<PropertyKey>) =>
  validationErrorOf(prefix, "is not a valid provider")

/** Decoded by `schema`, then encoded back: the form that is stored, and that the kind's factory decodes. */
const storedForm = <E>(schema: Schema.Codec<unknown, E>, field: string, value: unknown) =>
  Schema.decodeUnknownEffect(schema)(value).pipe(
    Effect.flatMap(Schema.encodeEffect(schema)),
    Effect.mapError(toValidationError([field]))
  )

const decodeRequest = Schema.decodeUnknownEffect(PutProviderRequest)
const decodeBaseUrl = Schema.decodeUnknownEffect(BaseUrl)

const baseUrlOf = (kind: string, schemas: ProviderKindSchemas, baseUrl: string | undefined) => {
  const rule = schemas.baseUrl ?? "optional"
  if (rule === "ignored") return Effect.succeed(null)
  if (baseUrl === undefined) {
    return rule === "required"
      ? Effect.fail(new ValidationError({ field: "baseUrl", message: `a ${kind} provider needs a baseUrl` }))
      : Effect.succeed(null)
  }
  return decodeBaseUrl(baseUrl).pipe(Effect.mapError(toValidationError(["baseUrl"])))
}

/**
 * The options as stored: the limit keys every kind shares (`ProviderLimits.ts`) checked by their schema, the rest
 * by the kind's, both merged (a kind's schema never sees, nor drops, the limits).
 */
const storedOptions = (schemas: ProviderKindSchemas, options: { readonly [key: string]: unknown }) =>
  Effect.gen(function* () {
    const { limits, rest } = splitLimits(options)
    const storedLimits = yield* storedForm(ProviderLimitOptions, "options", limits)
    const own = yield* storedForm(schemas.options ?? AnyOptions, "options", rest)
    return { ...own, ...storedLimits }
  })

/**
 * A provider request checked by the schemas of the kind it names (a 400 naming the field, never a 500): an
 * embedding host may hand `ProviderConfigs.put` any value, the admin API only a body of the right shape.
 */
export const validProvider = (kinds: Readonly<Record<string, ProviderKindSchemas>>, input: unknown) =>
  Effect.gen(function* () {
    const request = yield* decodeRequest(input).pipe(Effect.mapError(toValidationError([])))
    const schemas = Object.hasOwn(kinds, request.kind) ? kinds[request.kind] : undefined
    if (schemas === undefined) {
      return yield* new ValidationError({ field: "kind", message: `unknown provider kind "${request.kind}"` })
    }
    const valid: ValidProvider = {
      kind: request.kind,
      name: request.name,
      baseUrl: yield* baseUrlOf(request.kind, schemas, request.baseUrl),
      credentials: yield* storedForm(
        schemas.credentials ?? AnyCredentials,
        "credentials",
        request.credentials ?? {}
      ),
      options: yield* storedOptions(schemas, request.options ?? {}),
      enabled: request.enabled
    }
    return valid
  })
