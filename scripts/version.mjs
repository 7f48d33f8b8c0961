// Writes each package's `src/internal/version.ts` from its `package.json`, after `changeset version` has bumped the
// versions, so the User-Agent and `--version` name the version that is published. Tests keep the two equal.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

for (const name of fs.readdirSync(path.join(root, "packages"))) {
  const file = path.join(root, "packages", name, "src", "internal", "version.ts")
  if (!fs.existsSync(file)) continue
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "packages", name, "package.json"), "utf8"))
  const text = fs.readFileSync(file, "utf8").replace(/export const version = "[^"]*"/, `export const version = "${version}"`)
  fs.writeFileSync(file, text)
  console.log(`${path.relative(root, file)}: ${version}`)
}
