import { assert, describe, it } from "@effect/vitest"
import { measureImports } from "../../scripts/importGraph.js"

describe("the house (src/)", () => {
  const report = measureImports("src")

  it("reads the source files", () => {
    assert.isAbove(report.files, 100)
  })

  it("every import points down the stack (scripts/importGraph.ts), and every folder has its place in it", () => {
    assert.deepStrictEqual(report.upward, [])
    assert.deepStrictEqual(report.unplaced, [])
  })

  it("no two folders import each other, no files import each other in a loop", () => {
    assert.deepStrictEqual(report.folderPairs, [])
    assert.deepStrictEqual(report.fileLoops, [])
  })

  it("no file is over 250 lines", () => {
    assert.deepStrictEqual(report.longFiles, [])
  })
})
