import { phpJson } from "../support/ProviderEcho.js"

/**
 * Credentials with every character that changes when encoded: space, `&`, `+`, `%` (one followed by hex digits),
 * `=`, `/`, quotes, non-ASCII letters. Barakat's token travels in a header, which holds Latin-1 only.
 */
export const znetCredentials: ReadonlyArray<{ readonly kod: string; readonly sifre: string }> = [
  { kod: "dealer 42&x", sifre: "p@ss&w0rd+Ü" },
  { kod: "bayi=7/ş%", sifre: `q"u'o"te+ğİ` },
  { kod: "Ünlü bayi", sifre: "a/b=c%2Bd ş" }
]
export const barakatTokens: ReadonlyArray<string> = ["tok en&+%=/Ü", `t"o'k/é=9%41`, "Straße+Größe 7"]

const upper = (text: string) => text.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase())
const lower = (text: string) => text.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toLowerCase())
const inner = (json: string) => json.slice(1, -1)
const html = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;").replace(/</g, "&lt;")

/** Every written form of `secret` a test looks for, built independently of `Scrub.ts`. */
export const formsOf = (secret: string): ReadonlyArray<string> => {
  const component = encodeURIComponent(secret)
  const form = new URLSearchParams({ x: secret }).toString().slice(2)
  return [
    ...new Set([
      secret,
      secret.normalize("NFD"),
      upper(component),
      lower(component),
      component.replace(/%20/g, "+"),
      encodeURI(secret),
      lower(encodeURI(secret)),
      form,
      lower(form),
      encodeURIComponent(component),
      inner(JSON.stringify(secret)),
      inner(phpJson(secret)),
      inner(phpJson(secret)).replace(/\\u[0-9a-f]{4}/g, (escape) =>
        escape.toUpperCase().replace("\\U", "\\u")
      ),
      html(secret)
    ])
  ]
}

/** The forms of any of `secrets` found in `texts`, as `form in where` (letter case ignored). */
export const leaks = (where: string, texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
  const haystack = texts.join("\n").toLowerCase()
  return secrets.flatMap((secret) =>
    formsOf(secret)
      .filter((form) => haystack.includes(form.toLowerCase()))
      .map((form) => `${JSON.stringify(form)} (a form of ${JSON.stringify(secret)}) in ${where}`)
  )
}
