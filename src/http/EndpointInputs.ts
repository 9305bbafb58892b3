import { Schema } from "effect"
import { SafeText } from "../orders/SafeText.js"

/** A page size from the query string: 1 to 200. */
export const Limit = Schema.NumberFromString.check(
  Schema.isInt(),
  Schema.isBetween({ minimum: 1, maximum: 200 })
)

/** The opaque cursor a page hands back for the next one. */
export const Cursor = SafeText({ minLength: 1, maxLength: 200 })

/** The id of an account, provider, package or code group in a path. */
export const ResourceId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/))

export const orderIdParams = { id: Schema.String }
export const resourceIdParams = { id: ResourceId }

/**
 * A request body declared by a class: the class's fields as a struct, so the typed client sends plain objects as
 * it did in Effect 3 (an Effect 4 class encodes only its own instances); inlined in the OpenAPI document as before.
 * The handler gets the fields, not an instance.
 */
export const body = <Fields extends Schema.Struct.Fields>(schema: { readonly fields: Fields }) =>
  Schema.Struct(schema.fields)
