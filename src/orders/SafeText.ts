import { Schema } from "effect"

const tab = 0x09

/** C0 controls and DEL: no identifier or note needs them, and Postgres refuses NUL in text outright. */
const isControl = (code: number) => code < 0x20 || code === 0x7f

/**
 * A JSON body can carry `\ud800` escapes, which Postgres would store as U+FFFD, i.e. not what was sent. Returns
 * the problem's kind, or undefined for plain text.
 */
const problemOf = (text: string, allowTab: boolean): "control" | "surrogate" | undefined => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (isControl(code) && !(allowTab && code === tab)) return "control"
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return "surrogate"
      i++
    } else if (code >= 0xdc00 && code <= 0xdfff) return "surrogate"
  }
  return undefined
}

/** Why `text` is not plain text (a control character or a lone surrogate), or `true` when it is. */
export const plainText =
  (options: { readonly allowTab?: boolean } = {}) =>
  (text: string): true | string => {
    switch (problemOf(text, options.allowTab === true)) {
      case "control":
        return options.allowTab === true
          ? "must not contain control characters (a tab is allowed)"
          : "must not contain control characters"
      case "surrogate":
        return "must be well-formed Unicode (it holds a lone surrogate)"
      case undefined:
        return true
    }
  }

/**
 * Every string a request carries: bounded, no C0 control characters or DEL (a tab only where `allowTab`), no lone
 * surrogates. Checked by the schema, so such input is a 400 naming the field before anything reaches SQL.
 */
export const SafeText = (options: {
  readonly maxLength: number
  readonly minLength?: number
  readonly allowTab?: boolean
}) =>
  Schema.String.check(
    Schema.isMinLength(options.minLength ?? 0),
    Schema.isMaxLength(options.maxLength),
    Schema.makeFilter(plainText(options))
  )
