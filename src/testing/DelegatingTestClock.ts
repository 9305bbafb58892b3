import type { Duration, Effect } from "effect"
import type { TestClock } from "effect/testing"

/**
 * A TestClock that hands everything to the test's own TestClock except `sleep`, which a subclass watches: the
 * TestClock keeps its sleep queue private, so a wrapper is the only way to see which sleeps are under way.
 */
export abstract class DelegatingTestClock implements TestClock.TestClock {
  constructor(readonly inner: TestClock.TestClock) {}

  get currentTimeMillis() {
    return this.inner.currentTimeMillis
  }
  get currentTimeNanos() {
    return this.inner.currentTimeNanos
  }
  get monotonicTimeNanos() {
    return this.inner.monotonicTimeNanos
  }
  currentTimeMillisUnsafe() {
    return this.inner.currentTimeMillisUnsafe()
  }
  currentTimeNanosUnsafe() {
    return this.inner.currentTimeNanosUnsafe()
  }
  monotonicTimeNanosUnsafe() {
    return this.inner.monotonicTimeNanosUnsafe()
  }
  adjust(duration: Duration.Input) {
    return this.inner.adjust(duration)
  }
  setTime(time: number) {
    return this.inner.setTime(time)
  }
  withLive<A, E, R>(effect: Effect.Effect<A, E, R>) {
    return this.inner.withLive(effect)
  }

  abstract sleep(duration: Duration.Duration): Effect.Effect<void>
}
