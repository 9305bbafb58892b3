import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { readFileSync } from "node:fs"

/**
 * Only the page's own script and style and the API of the same origin: no inline code (a value that slipped into
 * the DOM as markup could not run), no other origin, no framing, no form posts.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

const securityHeaders = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
}

/**
 * The page's files, beside this module and served as they are (not compiled): `npm run build` copies them from
 * src/dashboard to dist/dashboard (scripts/build-assets.mjs), so they are found from the sources and from dist alike.
 */
const assets = [
  { path: "/dashboard", file: "page.html", contentType: "text/html; charset=utf-8" },
  { path: "/dashboard/app.js", file: "app.js", contentType: "text/javascript; charset=utf-8" },
  { path: "/dashboard/render.js", file: "render.js", contentType: "text/javascript; charset=utf-8" },
  { path: "/dashboard/style.css", file: "style.css", contentType: "text/css; charset=utf-8" }
] as const

/**
 * The operator dashboard: static files, public. The page asks for the admin token and sends it as a bearer token
 * to `/v1/admin/*`, so every piece of data it shows passes the admin authentication. Files are read at startup.
 */
export const DashboardPageLive = HttpRouter.use((router) =>
  Effect.forEach(
    assets,
    ({ path, file, contentType }) =>
      Effect.flatMap(
        Effect.try({
          try: () => readFileSync(new URL(file, import.meta.url), "utf8"),
          catch: (cause) =>
            new Error(`cannot read ${new URL(file, import.meta.url)} (run npm run build)`, { cause })
        }).pipe(Effect.orDie),
        (body) =>
          router.add(
            "GET",
            path,
            Effect.succeed(HttpServerResponse.text(body, { contentType, headers: securityHeaders }))
          )
      ),
    { discard: true }
  )
)
