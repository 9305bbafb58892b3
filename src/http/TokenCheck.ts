import { Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (value: string) => createHash("sha256").update(value).digest()

/**
 * Whether a presented token is `expected`, compared in constant time: both sides are sha256 digests of the same
 * length, so neither the comparison nor a length mismatch tells a caller how close a guess came.
 */
export const tokenCheck = (expected: Redacted.Redacted<string>): ((candidate: string) => boolean) => {
  const want = digest(Redacted.value(expected))
  return (candidate) => timingSafeEqual(digest(candidate), want)
}
