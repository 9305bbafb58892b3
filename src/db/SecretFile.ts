import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"

/** Writes a secret, one value a line, readable by its owner only (mode 0600 even when the file existed). */
export const writeSecret = (file: string, lines: ReadonlyArray<string>) => {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
}

/** The non-empty lines of a secret file (none when it is absent); a file others could read is narrowed to 0600. */
export const readSecret = (file: string): ReadonlyArray<string> => {
  if (!existsSync(file)) return []
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
}
