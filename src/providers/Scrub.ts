/** What every form of a secret is replaced with. */
export const redactedMark = "***"

/**
 * Secrets shorter than this (in characters) are scrubbed only where they stand as a whole token — not next to a
 * letter or a digit — so that a credential "a" does not blank every "a" of a message. An echoed credential is a
 * value (`kod=ab&`, `"ab"`, `bayi kodu ab için`), so it still stands alone and is still scrubbed.
 */
export const wholeTokenBelow = 4

const syntax = /[.*+?^${}()|[\]\\/]/g
const literal = (text: string) => text.replace(syntax, "\\$&")
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")
const utf8 = new TextEncoder()

const htmlNamed: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;"
}
const jsonShort: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\\\",
  "/": "/",
  "\b": "b",
  "\f": "f",
  "\n": "n",
  "\r": "r",
  "\t": "t"
}

/**
 * Every way one character may be written in a URL, a form body, JSON or HTML, as a regular expression: itself;
 * its UTF-8 percent-escapes (`encodeURIComponent`, `encodeURI`, `URLSearchParams`; `%25…` when encoded twice); `+`
 * for a space (form encoding); a JSON escape (`\uXXXX` per UTF-16 unit, `\"`, `\/`…, each backslash possibly
 * escaped again); an HTML character reference. Hex digits match in either case (the expression ignores case).
 */
const characterForms = (char: string): string => {
  const code = char.codePointAt(0) ?? 0
  const percent = [...utf8.encode(char)].map((byte) => `%(?:25)*${hex(byte, 2)}`).join("")
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i))
  const jsonUnicode = units.map((unit) => `(?:\\\\)+u${hex(unit, 4)}`).join("")
  const short = jsonShort[char]
  const named = htmlNamed[char]
  // the longest forms first: a literal "%" must not stop a match short of "%25"
  return [
    percent,
    jsonUnicode,
    ...(char === " " ? ["\\+"] : []),
    ...(short === undefined ? [] : [`(?:\\\\)+${literal(short)}`]),
    `&#0*${code};`,
    `&#x0*${hex(code, 1)};`,
    ...(named === undefined ? [] : [named]),
    literal(char)
  ].join("|")
}

/** One secret in any mix of its characters' forms, in both Unicode normal forms (a provider may decompose "Ü"). */
const secretPattern = (secret: string) => {
  const spellings = [...new Set([secret, secret.normalize("NFC"), secret.normalize("NFD")])]
  const pattern = spellings
    .map((spelling) => [...spelling].map((char) => `(?:${characterForms(char)})`).join(""))
    .join("|")
  return [...secret].length < wholeTokenBelow
    ? `(?<![\\p{L}\\p{N}])(?:${pattern})(?![\\p{L}\\p{N}])`
    : `(?:${pattern})`
}

const compile = (secrets: ReadonlyArray<string>) => {
  const usable = [...new Set(secrets.filter((secret) => secret.length > 0))].sort(
    (a, b) => [...b].length - [...a].length
  )
  // the longest secret first: one secret may contain another
  return usable.length === 0 ? undefined : new RegExp(usable.map(secretPattern).join("|"), "giu")
}

const compiled = new WeakMap<ReadonlyArray<string>, RegExp | undefined>()

const patternOf = (secrets: ReadonlyArray<string>) => {
  if (!compiled.has(secrets)) compiled.set(secrets, compile(secrets))
  return compiled.get(secrets)
}

/**
 * `text` with every form of every secret replaced by `***`: raw, percent-encoded (either case, once or twice),
 * form-encoded, JSON-escaped, HTML-escaped, in any mix, and in any letter case. Secrets shorter than
 * `wholeTokenBelow` are replaced only as whole tokens.
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  const pattern = patternOf(secrets)
  return pattern === undefined ? text : text.replace(pattern, redactedMark)
}

/** The secrets of a provider: every string in its stored credentials. */
export const secretsOf = (credentials: unknown): ReadonlyArray<string> => {
  if (typeof credentials === "string") return [credentials]
  if (typeof credentials !== "object" || credentials === null) return []
  return Object.values(credentials).flatMap(secretsOf)
}
