import { Option, Result, Schema } from "effect"
import {
  type CatalogueItem,
  CheckResult,
  PlaceResult,
  type ProviderBalance,
  type ProviderError,
  ProviderMisconfigured,
  ProviderRejected,
  ProviderTransient,
  ProviderUnavailable
} from "./Provider.js"
import {
  type Answer,
  isHtml,
  type Operation,
  snippet,
  statusError,
  UnrecognisedAnswer,
  unsettled
} from "./ProviderHttp.js"
import { scrub } from "./Scrub.js"
import { normalizeStatus } from "./Status.js"
import { loopDetectedCode } from "./TawsilChain.js"

const Id = Schema.Union([Schema.String, Schema.Number])
const Amount = Schema.Union([Schema.String, Schema.Number])
const Text = Schema.optional(Schema.NullOr(Schema.String))

const Failure = Schema.Union([
  Schema.Struct({ status: Schema.Literal("ERROR"), message: Text, code: Schema.optional(Id) }),
  Schema.Struct({ code: Id, message: Text })
])
const PlaceOk = Schema.Struct({
  status: Schema.Literal("OK"),
  data: Schema.Struct({ order_id: Id, status: Text, price: Schema.optional(Schema.NullOr(Amount)) })
})
const CheckEntry = Schema.Struct({
  order_id: Id,
  order_uuid: Text,
  status: Schema.String,
  pin: Schema.optional(Schema.Unknown),
  note: Text,
  /** a Tawsil partner's own code for an order it holds (`loopDetectedCode`); Barakat sends none */
  code: Schema.optional(Schema.Unknown)
})
export type CheckEntry = typeof CheckEntry.Type
const CheckOk = Schema.Struct({ status: Schema.Literal("OK"), data: Schema.Array(CheckEntry) })
const Profile = Schema.Struct({ balance: Amount })

type Failure = typeof Failure.Type

/** The documented error codes (docs/wire-protocols.md §3); 429 and 500 depend on the operation. */
const byCode: Readonly<Record<string, (message: string) => ProviderError>> = {
  "120": (message) => new ProviderMisconfigured({ message: `Barakat: token required (${message})` }),
  "121": (message) => new ProviderMisconfigured({ message: `Barakat: token error (${message})` }),
  "123": (message) => new ProviderMisconfigured({ message: `Barakat: IP not allowed (${message})` }),
  "109": (message) =>
    new ProviderMisconfigured({ message: `Barakat: product not found, the mapping is wrong (${message})` }),
  "130": (message) => new ProviderUnavailable({ message: `Barakat: maintenance (${message})` }),
  "110": (message) => new ProviderUnavailable({ message: `Barakat: product not available (${message})` }),
  "105": (message) => new ProviderRejected({ message }),
  "106": (message) => new ProviderRejected({ message }),
  "112": (message) => new ProviderRejected({ message }),
  "113": (message) => new ProviderRejected({ message }),
  "114": (message) => new ProviderRejected({ message }),
  "429": (message) => new ProviderTransient({ message: `Barakat: rate limited (${message})` }),
  // a Tawsil partner refused a chain that loops or is too long (LOOP_DETECTED): re-sending cannot help
  [String(loopDetectedCode)]: (message) =>
    new ProviderMisconfigured({ message: `Barakat: ${message}`, loop: true })
}

/** `{"status":"ERROR","message":…}` without a code: read the message. */
const byMessage: ReadonlyArray<readonly [RegExp, (message: string) => ProviderError]> = [
  [/insufficient balance|not enough balance/i, (m) => new ProviderUnavailable({ message: `Barakat: ${m}` })],
  [/maintenance/i, (m) => new ProviderUnavailable({ message: `Barakat: ${m}` })],
  [/not available/i, (m) => new ProviderUnavailable({ message: `Barakat: ${m}` })],
  [/token|\bip\b/i, (m) => new ProviderMisconfigured({ message: `Barakat: ${m}` })],
  [/product not found/i, (m) => new ProviderMisconfigured({ message: `Barakat: ${m}` })]
]

const failureError = (
  failure: Failure,
  operation: Operation,
  answer: Answer,
  secrets: ReadonlyArray<string>
): ProviderError => {
  const message = scrub(failure.message ?? "error", secrets)
  const code = failure.code === undefined ? undefined : String(failure.code)
  const known = code === undefined ? undefined : byCode[code]
  if (known !== undefined) return known(message)
  if (code === "500") return unrecognised(operation, answer, secrets, `Barakat: unknown error (${message})`)
  const matched = byMessage.find(([pattern]) => pattern.test(message))
  if (matched !== undefined) return matched[1](message)
  // the provider answered and refused: for a place, this order; for a check, the check
  return operation === "place"
    ? new ProviderRejected({ message })
    : new ProviderTransient({ message: `Barakat: ${message}` })
}

const unrecognised = (
  operation: Operation,
  answer: Answer,
  secrets: ReadonlyArray<string>,
  message = `Barakat: unrecognised answer (HTTP ${answer.status}): ${snippet(answer.body, secrets)}`
) =>
  unsettled(
    operation,
    message,
    new UnrecognisedAnswer({ status: answer.status, body: snippet(answer.body, secrets) })
  )

const parseJson = (body: string) => Result.try((): unknown => JSON.parse(body))

/**
 * Reads an answer with `success` for the operation's data. Errors come as HTTP 200 with `"status":"ERROR"` or a
 * `{code,message}` body, or as a 4xx with the same body; 429 and 5xx mean the same whatever the body.
 */
const read = <A>(
  operation: Operation,
  answer: Answer,
  secrets: ReadonlyArray<string>,
  success: Schema.Decoder<A>
): Result.Result<A, ProviderError> => {
  const status = statusError("Barakat", operation, answer, secrets)
  if (Option.isSome(status)) return Result.fail(status.value)
  if (isHtml(answer.body)) {
    return Result.fail(
      new ProviderMisconfigured({ message: `Barakat: an HTML page instead of data (HTTP ${answer.status})` })
    )
  }
  const json = Result.getSuccess(parseJson(answer.body))
  const failure = Option.flatMap(json, (value) =>
    Result.getSuccess(Schema.decodeUnknownResult(Failure)(value))
  )
  if (Option.isSome(failure)) return Result.fail(failureError(failure.value, operation, answer, secrets))
  if (answer.status >= 300) {
    return Result.fail(
      new ProviderMisconfigured({ message: `Barakat: HTTP ${answer.status} (wrong base URL?)` })
    )
  }
  return Option.match(
    Option.flatMap(json, (value) => Result.getSuccess(Schema.decodeUnknownResult(success)(value))),
    {
      onNone: () => Result.fail(unrecognised(operation, answer, secrets)),
      onSome: Result.succeed
    }
  )
}

/** `newOrder`: `{"status":"OK","data":{"order_id","status","price"}}`. Only a later check settles it. */
export const parsePlace = (answer: Answer, secrets: ReadonlyArray<string>) =>
  Result.map(read("place", answer, secrets, PlaceOk), ({ data }) =>
    PlaceResult.Accepted({
      providerOrderId: String(data.order_id),
      cost: data.price === undefined || data.price === null ? undefined : String(data.price),
      message: `accepted by Barakat (order ${data.order_id}, ${data.status ?? "no status"})`
    })
  )

/** `check`: the entries the provider knows of; the ids it left out it has never seen (with `uuid=1`). */
export const parseCheck = (answer: Answer, secrets: ReadonlyArray<string>) =>
  Result.map(read("check", answer, secrets, CheckOk), ({ data }) => data)

/** `profile`: `{"balance":"43.55"}`, a string or a number. */
export const parseBalance = (answer: Answer, secrets: ReadonlyArray<string>) =>
  Result.map(read("balance", answer, secrets, Profile), ({ balance }): ProviderBalance => ({
    balance: String(balance),
    currency: undefined
  }))

const Product = Schema.Struct({
  id: Id,
  name: Schema.String,
  price: Schema.optional(Schema.NullOr(Amount)),
  available: Schema.optional(Schema.NullOr(Schema.Union([Schema.Boolean, Schema.Number]))),
  params: Schema.optional(Schema.NullOr(Schema.Array(Schema.String)))
})

/** `products`: an array of `{id, name, price, available, params, …}`; `id` is the SKU of a package mapping. */
export const parseCatalogue = (answer: Answer, secrets: ReadonlyArray<string>) =>
  Result.map(read("catalogue", answer, secrets, Schema.Array(Product)), (products) =>
    products.map((p): CatalogueItem => ({
      sku: String(p.id),
      name: p.name,
      price: p.price === undefined || p.price === null ? undefined : String(p.price),
      available: p.available === undefined || p.available === null ? undefined : Boolean(p.available),
      params: p.params ?? undefined,
      meta: undefined
    }))
  )

/** The ids an order may be known by: our order id (sent as `order_uuid`) and the provider's order id. */
export interface CheckKey {
  readonly orderId: string
  readonly providerOrderId: string | undefined
}

const pinOf = (pin: unknown) => {
  const text = typeof pin === "string" || typeof pin === "number" ? String(pin).trim() : ""
  return text === "" || text === "-" ? undefined : text
}

/**
 * One order's answer in a batch: matched on `order_uuid` when present, else on the provider's order id. An order
 * left out was never seen (a re-send is allowed) — unless Barakat gave us its order id, which proves it was.
 */
export const checkResultFor = (
  entries: ReadonlyArray<CheckEntry>,
  key: CheckKey
): Result.Result<CheckResult, ProviderError> => {
  const entry =
    entries.find((e) => e.order_uuid === key.orderId) ??
    entries.find(
      (e) => (e.order_uuid ?? undefined) === undefined && String(e.order_id) === key.providerOrderId
    )
  if (entry === undefined) {
    return key.providerOrderId === undefined
      ? Result.succeed(CheckResult.NotFound({ message: "Barakat has never seen this order" }))
      : Result.fail(
          new ProviderTransient({
            message: `Barakat left out order ${key.providerOrderId}, which it accepted: not treated as never seen`
          })
        )
  }
  const note = entry.note ?? ""
  if (String(entry.code) === String(loopDetectedCode)) {
    return Result.succeed(CheckResult.Looped({ message: `Barakat: ${note || "LOOP_DETECTED"}` }))
  }
  switch (normalizeStatus(entry.status)) {
    case "success":
      return Result.succeed(
        CheckResult.Succeeded({ pin: pinOf(entry.pin), message: note || "accepted by Barakat" })
      )
    case "failure":
      return Result.succeed(CheckResult.Failed({ message: note || `Barakat: ${entry.status}` }))
    case "pending":
      return Result.succeed(CheckResult.Pending({ message: note || entry.status }))
  }
}
