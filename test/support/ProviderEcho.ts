/**
 * Where a careless provider echoes what it was sent (our credentials included) in its answer: as a URL path
 * (percent-encoded, upper- and lower-case escapes), as a query string (form encoding, `+` for space), as JSON
 * (PHP's `json_encode`: `\u00fc`, `\/`), in an HTML page (character references) or in a response header.
 */
export type EchoPlacement = "path" | "query" | "json" | "html" | "header"

export const echoPlacements: ReadonlyArray<EchoPlacement> = ["path", "query", "json", "html", "header"]

/** A value as PHP's `json_encode` writes it: non-ASCII as `\uXXXX` (lower-case hex), `/` as `\/`. */
export const phpJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/")

export const htmlEscape = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")

const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())

/** The echo of `sent` (name → value, as the provider decoded it) in the body of an answer. */
export const echoText = (where: EchoPlacement, sent: Readonly<Record<string, string>>): string => {
  const values = Object.values(sent)
  const query = new URLSearchParams(sent).toString()
  switch (where) {
    case "path":
      return `/echo/${values.map(encodeURIComponent).join("/")} ${values.map((v) => lowerEscapes(encodeURI(v))).join("/")}`
    case "query":
      return `?${query} (${Object.entries(sent)
        .map(([name, value]) => `${name}=${value}`)
        .join(", ")})`
    case "json":
      return `${phpJson(sent)} ${JSON.stringify(sent)}`
    case "html":
      return `<!DOCTYPE html><html><body><p>${values.map(htmlEscape).join(" ")}</p><a href="?${htmlEscape(query)}">retry</a></body></html>`
    case "header":
      return "request refused (see the echo header)"
  }
}

/** A `content-type` (the one response header a wire simulator sets) that also echoes `sent`. */
export const echoContentType = (base: string, sent: Readonly<Record<string, string>>) => {
  const values = Object.values(sent)
  // a header holds Latin-1 only: a value with other letters is echoed percent-encoded alone
  const raw = values.filter((value) => /^[\x20-\x7e\xa0-\xff]*$/.test(value))
  return `${base}; echo=${values.map(encodeURIComponent).join(",")}; raw=${raw.join(",")}`
}
