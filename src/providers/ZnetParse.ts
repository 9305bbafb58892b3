import { Option, Result, Schema } from "effect"
import {
  type CatalogueItem,
  CheckResult,
  PlaceResult,
  type ProviderBalance,
  type ProviderError,
  ProviderMisconfigured,
  ProviderRejected,
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

/** A Znet body, read once: `OK|a|b…`, an error `<code>|<text>`, or something else. */
export type ZnetBody =
  | { readonly kind: "ok"; readonly fields: ReadonlyArray<string> }
  | { readonly kind: "error"; readonly code: string; readonly text: string }
  | { readonly kind: "empty" }
  | { readonly kind: "html" }
  | { readonly kind: "other"; readonly text: string }

/** Reads a body; the text of an error (which a provider may echo our credentials into) is scrubbed of `secrets`. */
export const readBody = (raw: string, secrets: ReadonlyArray<string>): ZnetBody => {
  const body = raw.trim()
  if (body.length === 0) return { kind: "empty" }
  if (isHtml(body)) return { kind: "html" }
  const [head = "", ...rest] = body.split("|")
  if (head === "OK") return { kind: "ok", fields: rest }
  if (/^\d{1,4}$/.test(head) && rest.length > 0) {
    return { kind: "error", code: head, text: scrub(rest.join("|").trim(), secrets) }
  }
  return { kind: "other", text: scrub(body, secrets) }
}

const textOf = (body: ZnetBody) => (body.kind === "error" || body.kind === "other" ? body.text : "")

/** Turkish text in any case: "BAKİYE" and "bakiye", "BAKIM" and "bakım" fold alike. */
const folded = (text: string) => text.toLocaleLowerCase("tr")

/** The answers that mean the same whatever the call: our configuration, or the provider cannot serve now. */
const rules: ReadonlyArray<{
  readonly matches: (body: ZnetBody) => boolean
  readonly error: (body: ZnetBody) => ProviderError
}> = [
  {
    matches: (body) => body.kind === "empty",
    error: () =>
      new ProviderMisconfigured({
        message: "Znet: empty answer (dealer unknown, API not enabled or IP not whitelisted)"
      })
  },
  {
    matches: (body) => body.kind === "html",
    error: () =>
      new ProviderMisconfigured({ message: "Znet: an HTML page instead of data (wrong base URL?)" })
  },
  {
    matches: (body) => folded(textOf(body)).includes("bakiye yetersiz"),
    error: (body) => new ProviderUnavailable({ message: `Znet: out of balance (${textOf(body)})` })
  },
  {
    matches: (body) => /bak[ıi]m/.test(folded(textOf(body))),
    error: (body) => new ProviderUnavailable({ message: `Znet: maintenance (${textOf(body)})` })
  },
  {
    matches: (body) => body.kind === "error" && body.code === "8",
    error: (body) =>
      new ProviderMisconfigured({
        message: `Znet: connection refused by the dealer API (credentials, API permission or IP): ${textOf(body)}`
      })
  },
  {
    matches: (body) => /(kup[uü]r|oyun) bilgisi bulunamad/.test(folded(textOf(body))),
    error: (body) =>
      new ProviderMisconfigured({ message: `Znet: the package mapping is wrong: ${textOf(body)}` })
  }
]

const common = (body: ZnetBody) =>
  Option.fromUndefinedOr(rules.find((rule) => rule.matches(body))?.error(body))

/** What a status or an answer means before the operation's own reading: 429, 5xx, 4xx, then the common rules. */
const failure = (
  operation: Operation,
  answer: Answer,
  body: ZnetBody,
  secrets: ReadonlyArray<string>
): Option.Option<ProviderError> =>
  statusError("Znet", operation, answer, secrets).pipe(
    Option.orElse(() =>
      answer.status >= 300
        ? Option.some<ProviderError>(
            new ProviderMisconfigured({ message: `Znet: HTTP ${answer.status} (wrong base URL?)` })
          )
        : common(body)
    )
  )

const unrecognised = (operation: Operation, answer: Answer, secrets: ReadonlyArray<string>) => {
  const body = snippet(answer.body, secrets)
  return unsettled(
    operation,
    `Znet: unrecognised answer: ${body}`,
    new UnrecognisedAnswer({ status: answer.status, body })
  )
}

/** `pin_ekle.php`: `OK|<cost>|<balance>`; any other `<code>|<text>` is the provider refusing this order. */
export const parsePlace = (
  answer: Answer,
  secrets: ReadonlyArray<string>
): Result.Result<PlaceResult, ProviderError> => {
  const body = readBody(answer.body, secrets)
  return Option.match(failure("place", answer, body, secrets), {
    onSome: Result.fail,
    onNone: () => {
      switch (body.kind) {
        case "ok": {
          const [cost, balance] = body.fields.map((field) => field.trim())
          return Result.succeed(
            PlaceResult.Accepted({
              cost: cost !== undefined && /^-?\d+(\.\d+)?$/.test(cost) ? cost : undefined,
              message: `accepted by Znet (cost ${cost ?? "?"}, balance ${balance ?? "?"})`
            })
          )
        }
        case "error":
          return Result.fail(new ProviderRejected({ message: body.text }))
        default:
          return Result.fail(unrecognised("place", answer, secrets))
      }
    }
  })
}

const noPin = (pin: string | undefined) => {
  const trimmed = pin?.trim() ?? ""
  return trimmed === "" || trimmed === "-" ? undefined : trimmed
}

const isNeverSeen = (body: ZnetBody) =>
  body.kind === "error" && body.code === "3" && /[iı]şlem bulunamad/.test(folded(body.text))

/**
 * `pin_kontrol.php`: `OK|<state>|<pin>|<description>`. `3|İşlem Bulunamadı` (no `OK|`) means the reference was never
 * seen, which is not `OK|3|…` (cancelled).
 */
export const parseCheck = (
  answer: Answer,
  secrets: ReadonlyArray<string>
): Result.Result<CheckResult, ProviderError> => {
  const body = readBody(answer.body, secrets)
  if (answer.status < 300 && isNeverSeen(body)) {
    return Result.succeed(CheckResult.NotFound({ message: body.kind === "error" ? body.text : "not found" }))
  }
  return Option.match(failure("check", answer, body, secrets), {
    onSome: Result.fail,
    onNone: () => {
      if (body.kind !== "ok" || body.fields.length === 0)
        return Result.fail(unrecognised("check", answer, secrets))
      const [state = "", pin, ...description] = body.fields
      const message = description.join("|").trim()
      switch (normalizeStatus(state)) {
        case "success":
          return Result.succeed(CheckResult.Succeeded({ pin: noPin(pin), message: message || "delivered" }))
        case "failure":
          return Result.succeed(CheckResult.Failed({ message: message || "cancelled by Znet" }))
        case "pending":
          return Result.succeed(CheckResult.Pending({ message: message || `state ${state.trim()}` }))
      }
    }
  })
}

/** `bakiye_kontrol.php`: `OK|12755.23`, in TRY. */
export const parseBalance = (
  answer: Answer,
  secrets: ReadonlyArray<string>
): Result.Result<ProviderBalance, ProviderError> => {
  const body = readBody(answer.body, secrets)
  return Option.match(failure("balance", answer, body, secrets), {
    onSome: Result.fail,
    onNone: () => {
      const balance = body.kind === "ok" ? body.fields[0]?.trim() : undefined
      return balance !== undefined && /^-?\d+(\.\d+)?$/.test(balance)
        ? Result.succeed({ balance, currency: "TRY" })
        : Result.fail(unrecognised("balance", answer, secrets))
    }
  })
}

const Field = Schema.Union([Schema.String, Schema.Number])
const Catalogue = Schema.Struct({
  success: Schema.Literal(true),
  result: Schema.Array(
    Schema.Struct({
      id: Field,
      adi: Schema.String,
      oyun_bilgi_id: Field,
      kupur: Field,
      fiyat: Schema.optional(Schema.NullOr(Field))
    })
  )
})
const decodeCatalogue = Schema.decodeUnknownOption(Schema.fromJsonString(Catalogue))

/**
 * `pin_listesi.php`, JSON: `{"success":true,"result":[{"id","adi","oyun_bilgi_id","kupur","fiyat",…}]}`. `id` is
 * the SKU; a package mapping needs `oyun_bilgi_id` (as `oyun`) and `kupur`. Errors come as pipe text.
 */
export const parseCatalogue = (
  answer: Answer,
  secrets: ReadonlyArray<string>
): Result.Result<ReadonlyArray<CatalogueItem>, ProviderError> => {
  const products = answer.status < 300 ? decodeCatalogue(answer.body) : Option.none()
  if (Option.isSome(products)) {
    return Result.succeed(
      products.value.result.map((p) => ({
        sku: String(p.id),
        name: p.adi,
        price: p.fiyat === undefined || p.fiyat === null ? undefined : String(p.fiyat),
        available: undefined,
        params: undefined,
        meta: { oyun: String(p.oyun_bilgi_id), kupur: String(p.kupur) }
      }))
    )
  }
  const body = readBody(answer.body, secrets)
  return Result.fail(
    Option.getOrElse(failure("catalogue", answer, body, secrets), () =>
      unrecognised("catalogue", answer, secrets)
    )
  )
}
