import { Config, Context, Effect, Layer, Schema } from "effect"

/**
 * The name of a Postgres schema Tawsil may own: a plain lower-case identifier (so it needs no quoting and no host
 * name transform changes it), never `public` (the host's) nor `pg_*` (reserved by Postgres).
 */
export const SchemaName = Schema.String.check(
  Schema.isPattern(/^[a-z_][a-z0-9_]{0,62}$/, {
    message:
      "must be a lower-case identifier: a-z, 0-9 and _, not starting with a digit, at most 63 characters"
  }),
  Schema.makeFilter((name) => name !== "public" || "must not be public (the host's own tables live there)"),
  Schema.makeFilter((name) => !name.startsWith("pg_") || "must not start with pg_ (reserved by Postgres)")
)

export const defaultSchemaName = "tawsil"

/** A schema name refused by `schemaLayer`: the option or variable that gave it (`option`), and the name (`value`). */
export class InvalidSchemaName extends Schema.TaggedError<InvalidSchemaName>()("InvalidSchemaName", {
  message: Schema.String,
  option: Schema.String,
  value: Schema.String
}) {}

/**
 * The Postgres schema that holds every Tawsil table and its migrations record, so that a host database's own
 * `orders`, `accounts` or `settings` never clash with Tawsil's (`layer({ schema })`, `TAWSIL_SCHEMA`).
 */
export const TawsilSchema = Context.Reference<string>("tawsil/db/TawsilSchema", {
  defaultValue: () => defaultSchemaName
})

const decodeName = Schema.decodeUnknownEffect(SchemaName)

/** `TawsilSchema` set to `name`, validated: a bad name is a defect when the layer is built, naming `option`. */
export const schemaLayer = (name: string, option: string) =>
  Layer.effect(
    TawsilSchema,
    decodeName(name).pipe(
      Effect.mapError(
        (error) =>
          new InvalidSchemaName({
            message: `tawsil: ${option} = ${JSON.stringify(name)} is not a schema name Tawsil can use: ${error.message}`,
            option,
            value: name
          })
      ),
      Effect.orDie
    )
  )

/** The standalone service's schema: `TAWSIL_SCHEMA`, else `tawsil`. */
export const schemaNameFromEnv = Config.String("TAWSIL_SCHEMA").pipe(Config.withDefault(defaultSchemaName))
