import { Data, Effect } from "effect"
import { existsSync } from "node:fs"
import { type Browser, chromium, type Page } from "playwright-core"

/** Debian's `chromium` package; another build can be named with TAWSIL_CHROMIUM. */
export const chromiumPath = process.env["TAWSIL_CHROMIUM"] ?? "/usr/bin/chromium"

export class BrowserStepFailed extends Data.TaggedError("BrowserStepFailed")<{
  readonly message: string
  readonly cause: unknown
}> {}

/** One browser interaction; its failure fails the test, naming the step. */
export const step = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (cause) =>
      new BrowserStepFailed({
        message: `${what}: ${cause instanceof Error ? cause.message : "failed"}`,
        cause
      })
  })

/**
 * Headless Chromium for the scope. A missing browser fails the test (never skips it), naming what to install.
 * `--no-sandbox`: the tests run as root, where Chromium's sandbox refuses to start.
 */
export const browserScoped = Effect.acquireRelease(
  Effect.suspend(() =>
    existsSync(chromiumPath)
      ? step("launch Chromium", () =>
          chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"], timeout: 20_000 })
        )
      : Effect.die(
          new Error(
            `no Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) ` +
              `or point TAWSIL_CHROMIUM at a Chromium binary`
          )
        )
  ),
  (browser: Browser) => Effect.promise(() => browser.close())
)

/**
 * A page that keeps what went wrong in it: uncaught script errors and console errors, such as a blocked script
 * or style (Content-Security-Policy). Failed resource loads (a 401 the page handles, a missing favicon) are left
 * out: the test asserts on what the page shows for those.
 */
export const pageScoped = (browser: Browser) =>
  Effect.acquireRelease(
    step("open a page", async () => {
      const page: Page = await browser.newPage()
      page.setDefaultTimeout(10_000)
      const problems: Array<string> = []
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
          problems.push(`console: ${message.text()}`)
        }
      })
      return { page, problems }
    }),
    ({ page }) => Effect.promise(() => page.close())
  )
