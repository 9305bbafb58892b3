import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    // one embedded Postgres for the run (or the one TAWSIL_TEST_DATABASE_URL names); every test gets a fresh database
    // on it from `TestPostgres`
    globalSetup: ["tawsil/testing/globalSetup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
