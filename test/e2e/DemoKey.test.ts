import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { demoKeyFile, seedDemo } from "../../src/launch/Demo.js"
import { NodeHttpClient } from "@effect/platform-node"
import { servicesLayer } from "../../src/embed/TawsilLayer.js"
import { Accounts } from "../../src/orders/Accounts.js"
import { TawsilConfig } from "../../src/TawsilConfig.js"
import { TestDatabase } from "../support/TestDatabase.js"

const dataDir = mkdtempSync(join(tmpdir(), "tawsil-demo-"))

const ConfigLive = Layer.effect(
  TawsilConfig,
  Effect.provideService(
    TawsilConfig.config,
    ConfigProvider.ConfigProvider,
    ConfigProvider.fromUnknown({ TAWSIL_DATA_DIR: dataDir })
  )
)

const settingsText = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ value: unknown }>`select value from tawsil.settings`
  return JSON.stringify(rows)
})

describe("the demo reseller's key", () => {
  it.layer(
    Layer.mergeAll(servicesLayer().pipe(Layer.provide(NodeHttpClient.layerNodeHttp)), ConfigLive).pipe(
      Layer.provideMerge(TestDatabase)
    )
  )((it) => {
    it.effect(
      "is kept in a 0600 file in the data directory, never in a table; an old settings row is moved out",
      () =>
        Effect.gen(function* () {
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => rmSync(dataDir, { recursive: true, force: true }))
          )
          const seeded = yield* seedDemo.pipe(Effect.map(Option.flatMap((demo) => demo.apiKey)))
          assert.isTrue(Option.isSome(seeded))
          const key = Option.getOrThrow(seeded)
          const file = demoKeyFile(dataDir)
          assert.strictEqual(readFileSync(file, "utf8").trim(), key)
          assert.strictEqual(statSync(file).mode & 0o777, 0o600)
          assert.notInclude(yield* settingsText, key)
          assert.isTrue(Option.isSome(yield* (yield* Accounts).authenticate(key).pipe(Effect.option)))
          // a second start reads it back
          const again = yield* seedDemo.pipe(Effect.map(Option.flatMap((demo) => demo.apiKey)))
          assert.deepStrictEqual(again, Option.some(key))

          // a database seeded before: the key in `settings`, no file
          const sql = yield* SqlClient.SqlClient
          yield* sql`update tawsil.settings set value = jsonb_build_object('apiKey', ${key}::text, 'packageId', 'demo-pubg-325')
          where key = 'demo'`
          rmSync(file)
          const migrated = yield* seedDemo.pipe(Effect.map(Option.flatMap((demo) => demo.apiKey)))
          assert.deepStrictEqual(migrated, Option.some(key))
          assert.strictEqual(readFileSync(file, "utf8").trim(), key)
          assert.strictEqual(statSync(file).mode & 0o777, 0o600)
          assert.notInclude(yield* settingsText, key)
        }).pipe(Effect.scoped)
    )
  })
})
