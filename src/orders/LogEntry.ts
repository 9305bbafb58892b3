/** One provider interaction, as an operator reads it in the order's dispatch log. Never holds secrets. */
export interface LogEntry {
  readonly providerId: string
  readonly action: "send" | "check"
  readonly request?: unknown
  readonly response: string
  readonly outcome: string
}
