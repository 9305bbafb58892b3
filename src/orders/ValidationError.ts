import { Schema } from "effect"

/** 400 for any input that does not fit the contract; `field` names the offending input (a dotted path). */
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  { message: Schema.String, field: Schema.String },
  { httpApiStatus: 400 }
) {}
