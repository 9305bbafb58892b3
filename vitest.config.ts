import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  // the package's own entry points (package.json "exports"), as a host service imports them (test/kit,
  // test/providers): here, its sources. examples/host-service runs its own vitest on the built package
  // (npm run example:check).
  resolve: {
    alias: [
      {
        find: /^tawsil\/testing$/,
        replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url))
      },
      { find: /^tawsil$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
