import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  // the package's own entry points (package.json "exports"), as a host service imports them
  resolve: {
    alias: [
      {
        find: /^tawsil\/testing$/,
        replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url))
      },
      { find: /^tawsil$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }
    ],
    // examples/host-service has node_modules of its own (npm run example:check); its tests, run from here against
    // src/, must share this repository's copies: Effect keeps state per copy (Redacted values, service keys)
    dedupe: [
      "effect",
      "@effect/platform-node",
      "@effect/sql-pg",
      "@effect/opentelemetry",
      "@effect/vitest",
      "vitest"
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
