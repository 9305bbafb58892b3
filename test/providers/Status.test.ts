import { assert, describe, it } from "@effect/vitest"
import { type NormalizedStatus, normalizeStatus } from "../../src/providers/Status.js"

// docs/domain.md §4 rule 10, word for word
const table: ReadonlyArray<readonly [NormalizedStatus, ReadonlyArray<string | number | null | undefined>]> = [
  ["success", ["success", "ok", "done", "complete", "completed", "accept", "accepted", "delivered", "2", 2]],
  ["failure", ["fail", "failed", "error", "reject", "rejected", "cancelled", "canceled", "3", 3]],
  [
    "pending",
    ["wait", "pending", "processing", "inprogress", "queued", "1", 1, "unknown", "", "   ", null, undefined]
  ]
]

/** The same word as providers really send it: other cases, surrounding whitespace. */
const variants = (word: string) => [
  word,
  word.toUpperCase(),
  word.charAt(0).toUpperCase() + word.slice(1),
  ` ${word} `,
  `\t${word.toUpperCase()}\n`
]

describe("provider status words are normalised in one place (docs/domain.md §4 rule 10)", () => {
  for (const [expected, words] of table) {
    for (const word of words) {
      const forms = typeof word === "string" ? variants(word) : [word]
      it(`${JSON.stringify(word)} → ${expected}`, () => {
        for (const form of forms) assert.strictEqual(normalizeStatus(form), expected, JSON.stringify(form))
      })
    }
  }

  it("US and UK spellings of cancelled are both final failures (the old system polled `canceled` for ever)", () => {
    assert.strictEqual(normalizeStatus("canceled"), "failure")
    assert.strictEqual(normalizeStatus("CANCELLED"), "failure")
  })

  it("a word merely containing a final word is not final", () => {
    for (const word of ["not ok", "undelivered", "success_pending", "rejected?", "12", "33", "-2"]) {
      assert.strictEqual(normalizeStatus(word), "pending", word)
    }
  })

  it("Znet's numeric states: 1 waiting, 2 success, 3 cancelled", () => {
    assert.deepStrictEqual(
      [1, 2, 3].map((state) => normalizeStatus(state)),
      ["pending", "success", "failure"]
    )
  })
})
