import { Schema, SchemaIssue } from "effect"

/** 400 for any input that does not fit the contract; `field` names the offending input (a dotted path). */
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  { message: Schema.String, field: Schema.String },
  { httpApiStatus: 400 }
) {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** The first issue of a schema failure, with its path (empty for the value as a whole). */
export const firstIssue = (issue: SchemaIssue.Issue) => formatIssues(issue).issues[0]

/**
 * A schema failure as a `ValidationError`: the first issue's path under `prefix` names the field ("request" for
 * the whole value), `fallback` is the message when the failure carries none.
 */
export const validationErrorOf =
  (prefix: ReadonlyArray<PropertyKey>, fallback: string) => (error: Schema.SchemaError) => {
    const issue = firstIssue(error.issue)
    const path = [...prefix, ...(issue?.path ?? [])]
    return new ValidationError({
      field: path.length === 0 ? "request" : path.map(String).join("."),
      message: issue?.message ?? fallback
    })
  }
