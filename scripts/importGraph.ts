import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"

/**
 * The import graph of `src/`, folder by folder: the house's stack is the order below, top first. A file may import
 * from its own folder and from folders below it, never above; no two files may import each other in a loop.
 * `npm run imports` prints what breaks it; test/architecture/Imports.test.ts fails on it.
 */
export const stack: ReadonlyArray<ReadonlyArray<string>> = [
  ["main", "index", "testing"],
  ["launch"],
  ["embed"],
  ["http"],
  ["dashboard"],
  ["admin"],
  ["callbacks"],
  ["dispatch"],
  ["monitor"],
  ["providers"],
  ["orders"],
  ["db"],
  ["observability", "TawsilConfig"]
]

export const maxLines = 250

export interface ImportReport {
  readonly files: number
  /** imports from a folder to one above it (or one of the same rank) */
  readonly upward: ReadonlyArray<string>
  readonly folderPairs: ReadonlyArray<string>
  readonly fileLoops: ReadonlyArray<ReadonlyArray<string>>
  readonly unplaced: ReadonlyArray<string>
  readonly longFiles: ReadonlyArray<string>
}

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : []
  })

const importPattern =
  /(?:import|export)\s[^'"]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g

export const measureImports = (root: string): ImportReport => {
  const files = sourceFiles(root).map((file) => resolve(file))
  const folderOf = (file: string) => relative(resolve(root), file).split(sep)[0]!.replace(/\.ts$/, "")
  const rank = new Map(stack.flatMap((names, i) => names.map((name) => [name, i] as const)))
  const edges = new Map<string, Set<string>>()
  for (const file of files) {
    const targets = new Set<string>()
    for (const match of readFileSync(file, "utf8").matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1] ?? match[2]!).replace(/\.js$/, ".ts")
      if (existsSync(target)) targets.add(target)
    }
    edges.set(file, targets)
  }
  const name = (file: string) => relative(resolve(root), file)
  const upward: Array<string> = []
  const folderEdges = new Set<string>()
  for (const [from, targets] of edges) {
    for (const to of targets) {
      const a = folderOf(from)
      const b = folderOf(to)
      if (a === b) continue
      folderEdges.add(`${a} -> ${b}`)
      const ra = rank.get(a)
      const rb = rank.get(b)
      if (ra !== undefined && rb !== undefined && rb <= ra) upward.push(`${name(from)} -> ${name(to)}`)
    }
  }
  const folderPairs = [...folderEdges].flatMap((edge) => {
    const [a, b] = edge.split(" -> ") as [string, string]
    return a < b && folderEdges.has(`${b} -> ${a}`) ? [`${a} <-> ${b}`] : []
  })
  const unplaced = [...new Set(files.map(folderOf))].filter((folder) => !rank.has(folder))
  const longFiles = files
    .map((file) => [name(file), readFileSync(file, "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > maxLines)
    .map(([file, lines]) => `${file} (${lines} lines)`)
  return {
    files: files.length,
    upward,
    folderPairs,
    fileLoops: loops(edges).map((loop) => loop.map(name)),
    unplaced,
    longFiles
  }
}

/** Strongly connected components of more than one file (Tarjan). */
const loops = (edges: ReadonlyMap<string, ReadonlySet<string>>) => {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stackOf: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stackOf.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: Array<string> = []
      let w: string
      do {
        w = stackOf.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) found.push(component)
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return found
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const report = measureImports(process.argv[2] ?? "src")
  console.log(`${report.files} files under src/`)
  for (const [title, items] of [
    ["imports that run up the stack", report.upward],
    ["folder pairs importing each other", report.folderPairs],
    ["file loops", report.fileLoops.map((loop) => loop.join(" -> "))],
    ["folders not in the stack", report.unplaced],
    [`files over ${maxLines} lines`, report.longFiles]
  ] as const) {
    console.log(`${title}: ${items.length}`)
    for (const item of items) console.log(`  ${item}`)
  }
}
