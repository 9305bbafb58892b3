import { assert, describe, it } from "@effect/vitest"
import { scrub, secretsOf } from "../../src/providers/Scrub.js"
import { htmlEscape, phpJson } from "../support/ProviderEcho.js"
import { barakatTokens, leaks, znetCredentials } from "./SecretForms.js"

const secrets = [...znetCredentials.flatMap(({ kod, sifre }) => [kod, sifre]), ...barakatTokens]

const inner = (json: string) => json.slice(1, -1)

/** Every way a provider was seen (or could be expected) to write a value back. */
const encodings: ReadonlyArray<readonly [string, (secret: string) => string]> = [
  ["raw", (s) => s],
  ["encodeURIComponent", encodeURIComponent],
  ["encodeURIComponent, lower-case escapes", (s) => encodeURIComponent(s).toLowerCase()],
  ["encodeURI", encodeURI],
  ["URLSearchParams", (s) => new URLSearchParams({ x: s }).toString().slice(2)],
  ["form, + for space", (s) => encodeURIComponent(s).replace(/%20/g, "+")],
  ["encoded twice", (s) => encodeURIComponent(encodeURIComponent(s))],
  ["JSON.stringify", (s) => inner(JSON.stringify(s))],
  ["PHP json_encode (\\u00fc, \\/)", (s) => inner(phpJson(s))],
  [
    "JSON \\u escapes, upper-case hex",
    (s) => inner(phpJson(s)).replace(/\\u(\w{4})/g, (_, h) => `\\u${h.toUpperCase()}`)
  ],
  ["JSON inside JSON", (s) => inner(JSON.stringify(inner(JSON.stringify(s))))],
  ["HTML", htmlEscape],
  [
    "HTML numeric references",
    (s) => [...s].map((c) => (/[\w ]/.test(c) ? c : `&#${c.codePointAt(0)};`)).join("")
  ],
  ["decomposed (NFD)", (s) => s.normalize("NFD")],
  // a provider shouting the value back; "ß" → "SS" (a change of length) is not followed
  ["upper case", (s) => [...s].map((c) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c)).join("")],
  ["mixed: half raw, half encoded", (s) => `${s.slice(0, 3)}${encodeURIComponent(s.slice(3))}`]
]

describe("Scrub: every form of a credential", () => {
  for (const secret of secrets) {
    it(`scrubs ${JSON.stringify(secret)} in every encoding`, () => {
      for (const [name, encode] of encodings) {
        const written = encode(secret)
        const text = `error: ${written} | again "${written}"`
        assert.strictEqual(scrub(text, secrets), `error: *** | again "***"`, `${name}: ${written}`)
      }
      assert.isNotEmpty(
        leaks("the raw echo", [`kod=${encodeURIComponent(secret)}`], [secret]),
        "the search works"
      )
    })
  }

  it("scrubs credentials of 1–3 characters as whole tokens only", () => {
    const table: ReadonlyArray<readonly [string, string, string]> = [
      ["a", "banana a kod=a&b", "banana *** kod=***&b"],
      ["42", "OK|42|420 x42", "OK|***|420 x42"],
      ["é", "café é %C3%A9 &#233;", "café *** *** ***"],
      ["%", "100% sure; kod=%25&sifre=%2525", "100% sure; kod=***&sifre=***"],
      ["a b", "a b, a+b, a%20b, ba bc", "***, ***, ***, ba bc"]
    ]
    for (const [secret, text, expected] of table) assert.strictEqual(scrub(text, [secret]), expected, secret)
  })

  it("scrubs the longest of overlapping secrets whole, and leaves other text as it was", () => {
    assert.strictEqual(scrub("abcdefgh abcd", ["abcd", "abcdefgh"]), "*** ***")
    const plain = "8|Bağlantı Hatası, bayi kodu için yetki yok (%zz \\u12 &amp;)"
    assert.strictEqual(scrub(plain, secrets), plain)
    assert.strictEqual(scrub("no secrets at all", []), "no secrets at all")
    assert.strictEqual(scrub("empty one", [""]), "empty one")
  })

  it("takes every string of stored credentials as a secret", () => {
    assert.deepStrictEqual(secretsOf({ kod: "k", sifre: "s", nested: { token: "t" }, n: 1 }), ["k", "s", "t"])
  })
})
