import { CheckResult } from "./Provider.js"

/**
 * What a reseller reads in an order's `message` and `dispatch.lastMessage` (docs/domain.md §6): our words, never a
 * provider's text, which may echo anything it was sent. Operators read the provider's (scrubbed) text in the
 * order's dispatch log.
 */
export const ResellerWords = {
  processing: "قيد التنفيذ (processing)",
  delivered: "تم القبول (delivered)",
  rejected: "تم الرفض (rejected by the provider)",
  cancelled: "تم الإلغاء من المزود (cancelled by the provider)",
  /** also what a Tawsil's client API check reads as "held because the chain loops" (src/http/client/ClientCheck.ts) */
  loopDetected: "LOOP_DETECTED: the order's chain of Tawsil instances loops; held for an operator"
} as const

/** The reseller's words for a status check's answer: only success and failure are final. */
export const resellerWordsFor = CheckResult.$match({
  Pending: () => ResellerWords.processing,
  Succeeded: () => ResellerWords.delivered,
  Failed: () => ResellerWords.cancelled,
  NotFound: () => ResellerWords.processing,
  Looped: () => ResellerWords.loopDetected
})
