/**
 * `tawsil/testing`: run Tawsil inside your tests, on the TestClock, against a scripted provider.
 *
 *   it.effect("approved after three polls", () =>
 *     Effect.gen(function* () {
 *       const shop = yield* TawsilTest.shop({ script: { check: [Script.pending(), Script.succeeded("1234")] } })
 *       const order = yield* shop.order()
 *       yield* TawsilTest.advancePolls(2)
 *       assert.strictEqual((yield* shop.get(order.id)).status, "approved")
 *     }).pipe(Effect.provide(TawsilTest.layer()))
 *   )
 *
 * `TawsilTest.awaitSettled(id)` moves the clock by itself until the order settles. For one shared Postgres per
 * vitest run: `globalSetup: ["tawsil/testing/globalSetup"]` (`TestPostgres` then makes a database per test on it).
 */
export * as TawsilTest from "./TawsilTest.js"
export * as Script from "./Script.js"
export { ScriptedProvider, scriptedKind, type ScriptedCall } from "./ScriptedProvider.js"
export { EngineClock, type PendingSleep } from "./EngineClock.js"
export { TestPostgres, testClockSafe, testDatabaseUrlVariable } from "./TestPostgres.js"
