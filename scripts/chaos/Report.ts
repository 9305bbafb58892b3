import type { Call } from "./Proxy.js"
import { countStates, type OrderRow, terminal } from "./Db.js"

export interface Result {
  readonly scenario: string
  readonly orders: number
  readonly lost: number
  readonly duplicates: number
  readonly recoverySeconds: number | undefined
  readonly pass: boolean
  readonly notes: ReadonlyArray<string>
}

/** Successful placements per reference, and for each reference placed twice whether a "never seen" check preceded. */
export const placements = (calls: ReadonlyArray<Call>, references: ReadonlySet<string>) => {
  const byRef = new Map<string, Array<Call>>()
  for (const call of calls) {
    if (!references.has(call.reference)) continue
    const list = byRef.get(call.reference) ?? []
    list.push(call)
    byRef.set(call.reference, list)
  }
  const duplicates: Array<{ reference: string; placed: number; afterNotFound: boolean }> = []
  let unplaced = 0
  for (const reference of references) {
    const list = byRef.get(reference) ?? []
    const placed = list.filter((c) => c.endpoint === "place" && c.answer.startsWith("OK|"))
    if (placed.length === 0) unplaced += 1
    if (placed.length > 1) {
      const second = placed[1]!.atMillis
      const afterNotFound = list.some(
        (c) => c.endpoint === "check" && c.atMillis < second && c.answer.startsWith("3|")
      )
      duplicates.push({ reference, placed: placed.length, afterNotFound })
    }
  }
  return { duplicates, unplaced }
}

/** The first provider call at or after `fromMillis` for one of `references` (by `node` if given), in ms after it. */
export const firstCallAfter = (
  calls: ReadonlyArray<Call>,
  fromMillis: number,
  references: ReadonlySet<string>,
  node?: string
) => {
  const first = calls.find(
    (c) => c.atMillis >= fromMillis && references.has(c.reference) && (node === undefined || c.node === node)
  )
  return first === undefined ? undefined : first.atMillis - fromMillis
}

export const lostOf = (rows: ReadonlyArray<OrderRow>) => rows.filter((r) => !terminal(r.dispatch_state))

export const seconds = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`)

export const line = (r: Result) =>
  `${r.pass ? "PASS" : "FAIL"}  ${r.scenario.padEnd(22)} orders ${String(r.orders).padStart(4)}  lost ${r.lost}  ` +
  `duplicate placements ${r.duplicates}  recovery ${r.recoverySeconds === undefined ? "n/a" : `${r.recoverySeconds.toFixed(1)} s`}`

export const refsOf = (rows: ReadonlyArray<OrderRow>) => new Set(rows.map((r) => r.reference))

/** Lost orders and duplicate placements of a finished scenario, with a few examples of each. */
export const outcome = (calls: ReadonlyArray<Call>, rows: ReadonlyArray<OrderRow>) => {
  const lost = lostOf(rows)
  const p = placements(calls, refsOf(rows))
  const notes = [
    `final states: ${countStates(rows)}`,
    ...(lost.length > 0
      ? [
          `not terminal (first 5): ${lost
            .slice(0, 5)
            .map((r) => `${r.reference} ${r.dispatch_state}`)
            .join(", ")}`
        ]
      : []),
    ...(p.unplaced > 0 ? [`${p.unplaced} references never placed successfully`] : []),
    ...p.duplicates
      .slice(0, 5)
      .map(
        (d) =>
          `placed ${d.placed}x: ${d.reference} (a never-seen check came before the re-send: ${d.afterNotFound})\n` +
          timeline(calls, d.reference)
      )
  ]
  return { lost: lost.length, duplicates: p.duplicates.length, notes }
}

/** Every call for one reference, relative to the first: node, endpoint, arrival → answer, and the answer. */
export const timeline = (calls: ReadonlyArray<Call>, reference: string) => {
  const own = calls.filter((c) => c.reference === reference)
  const t0 = own[0]?.atMillis ?? 0
  return own
    .map(
      (c) =>
        `        +${c.atMillis - t0} ms ${c.node} ${c.endpoint} → ${c.answeredAtMillis === 0 ? "no answer" : `+${c.answeredAtMillis - t0} ms`} ${c.answer}${c.abandoned ? " (caller gone)" : ""}`
    )
    .join("\n")
}
