/** The one place provider status words are read (docs/domain.md §4 rule 10). */
export type NormalizedStatus = "success" | "failure" | "pending"

const success = new Set([
  "success",
  "ok",
  "done",
  "complete",
  "completed",
  "accept",
  "accepted",
  "delivered",
  "2"
])
const failure = new Set(["fail", "failed", "error", "reject", "rejected", "cancelled", "canceled", "3"])

export const normalizeStatus = (word: string | number | null | undefined): NormalizedStatus => {
  const normalized = String(word ?? "")
    .trim()
    .toLowerCase()
  if (success.has(normalized)) return "success"
  if (failure.has(normalized)) return "failure"
  return "pending"
}
