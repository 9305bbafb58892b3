import { Clock, Duration, Effect } from "effect"
import { DispatchConfig } from "../dispatch/DispatchConfig.js"
import { Dispatcher } from "../dispatch/Dispatcher.js"
import { EngineClock } from "./EngineClock.js"

/** Real time: I/O (the database) lands on it while the TestClock stands still. */
const live = Clock.Clock.defaultValue()
export const liveMillis = () => live.currentTimeMillisUnsafe()
export const realPause = (millis: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))
const settleLimitMillis = 15_000

/**
 * Where the engine stands. An order fiber counts as parked when one of its sleeps is under way, but a sleep alone
 * does not prove the fiber idle: a check runs under its timeout, whose timer sleeps while the fiber waits for the
 * database. So no I/O may be in flight either (`IoTracer.ts`), and the count of I/O started is part of the key: a
 * statement begun and ended between two looks shows as a change.
 */
const snapshot = Effect.gen(function* () {
  const clock = yield* EngineClock
  const inFlight = yield* (yield* Dispatcher).inFlight
  const now = yield* clock.now
  const pending = yield* clock.pending
  const io = yield* clock.io
  const parked = new Set(
    pending.filter((s) => s.orderId !== undefined && s.wakeAt > now).map((s) => s.orderId)
  )
  return {
    // nothing the clock already woke is still on its way back, no I/O is under way, and every order fiber waits
    // for the clock
    quiet: io.open === 0 && pending.every((s) => s.wakeAt > now) && parked.size >= inFlight,
    key: `${inFlight}/${io.started}/${pending.map((s) => s.id).join(",")}`,
    busy: inFlight - parked.size,
    io: io.open
  }
})

/**
 * Waits (on real time) until the engine can only move when the clock does: every order fiber is either finished
 * or asleep on the TestClock, and its database writes have landed. Twice in a row, a moment apart, the same.
 */
export const settled = Effect.gen(function* () {
  const startedAt = liveMillis()
  let previous = yield* snapshot
  while (liveMillis() - startedAt < settleLimitMillis) {
    yield* realPause(previous.quiet ? 2 : 1)
    const current = yield* snapshot
    if (current.quiet && previous.quiet && current.key === previous.key) return
    previous = current
  }
  return yield* Effect.die(
    new Error(
      `tawsil/testing: the engine did not settle within ${settleLimitMillis / 1000} s ` +
        `(${previous.busy} order fiber(s) neither finished nor waiting for the clock, ` +
        `${previous.io} database or HTTP call(s) under way)`
    )
  )
})

/** The TestClock time of the next wake-up still ahead: an order fiber's if any, else any fiber's. */
export const nextWakeUp = Effect.gen(function* () {
  const clock = yield* EngineClock
  const now = yield* clock.now
  const ahead = (yield* clock.pending).filter((s) => s.wakeAt > now)
  // an order fiber's wake-up when there is one: the engine's own loops (claims, heartbeats, the callback worker's
  // one-second poll) would otherwise make every second a stop on the way to a check hours ahead
  const ofOrders = ahead.filter((s) => s.orderId !== undefined)
  const candidates = (ofOrders.length > 0 ? ofOrders : ahead).map((s) => s.wakeAt)
  return candidates.length === 0 ? undefined : Math.min(...candidates)
})

/**
 * Moves the TestClock forward by `duration` the way real time would: from one wake-up to the next, letting the
 * fibers woken at each instant finish their I/O and go back to sleep before moving on. (A bare
 * `TestClock.adjust` made while an order fiber is still writing would move its next wake-up later.)
 */
export const advance = (duration: Duration.Input) =>
  Effect.gen(function* () {
    const clock = yield* EngineClock
    const target = (yield* clock.now) + Duration.toMillis(Duration.fromInputUnsafe(duration))
    for (;;) {
      yield* settled
      const now = yield* clock.now
      const wakeUps = (yield* clock.pending).map((s) => s.wakeAt).filter((at) => at <= target)
      const next = wakeUps.length === 0 ? target : Math.min(...wakeUps)
      yield* clock.adjust(next - now)
      if (next === target) break
    }
    yield* settled
  })

/** `advance` by the engine's poll interval, `times` times: each round, every waiting order is checked once. */
export const advancePolls = (times = 1) =>
  Effect.gen(function* () {
    const { pollInterval } = yield* DispatchConfig
    for (let i = 0; i < times; i++) yield* advance(pollInterval)
  })
