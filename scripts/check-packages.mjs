// Packs every publishable package the way `pnpm publish` would, then checks the tarballs a user would install:
// no `workspace:` ranges left, publint clean, and types that resolve (`attw`, ESM-only profile, every entry point).
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const packages = ["schema", "client", "test-kit", "cli"]
const out = mkdtempSync(join(tmpdir(), "effect-clerk-pack-"))
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString()
const pnpm = (args, cwd) => run("npx", ["-y", "pnpm@10.34.9", ...args], cwd)
let failures = 0

try {
  for (const name of packages) {
    const dir = join(root, "packages", name)
    const before = new Set(readdirSync(out))
    pnpm(["pack", "--pack-destination", out], dir)
    const tarball = join(out, readdirSync(out).find((file) => !before.has(file)))
    const unpacked = mkdtempSync(join(out, `${name}-`))
    run("tar", ["-xzf", tarball, "-C", unpacked])
    const manifest = readFileSync(join(unpacked, "package", "package.json"), "utf8")
    const problems = []
    if (manifest.includes("workspace:")) problems.push("the packed package.json still has workspace: ranges")
    if (manifest.includes("\"source\"")) problems.push("the packed exports still point at sources")
    try {
      process.stdout.write(run(join(root, "node_modules/.bin/publint"), ["run", tarball, "--strict"]))
    } catch {
      problems.push("publint reported problems")
    }
    try {
      const modules = readdirSync(join(unpacked, "package", "dist"))
        .filter((file) => file.endsWith(".js") && file !== "index.js" && file !== "bin.js")
        .map((file) => `./${file.slice(0, -3)}`)
      process.stdout.write(
        run(join(root, "node_modules/.bin/attw"), [
          tarball,
          "--profile",
          "esm-only",
          "--format",
          "table-flipped",
          "--include-entrypoints",
          ...modules
        ])
      )
    } catch (error) {
      process.stdout.write(String(error.stdout ?? ""))
      problems.push("attw reported problems")
    }
    console.log(problems.length === 0 ? `✔ @effect-clerk/${name}` : `✘ @effect-clerk/${name}: ${problems.join("; ")}`)
    failures += problems.length
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
process.exit(failures === 0 ? 0 : 1)
