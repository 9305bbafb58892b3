// The build's second step (after `tsc -b tsconfig.build.json`): copies every file under src/ that tsc does not emit
// (today the dashboard's page.html, app.js, render.js, style.css) to the same place under dist/, so that a module
// reading a file beside itself (`new URL(file, import.meta.url)`) finds it when run from dist/ as from src/.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const src = join(root, "src")
const dist = join(root, "dist")

const copy = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name)
    if (entry.isDirectory()) copy(from)
    else if (entry.isFile() && !entry.name.endsWith(".ts")) {
      const to = join(dist, relative(src, from))
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(from, to)
    }
  }
}

copy(src)
