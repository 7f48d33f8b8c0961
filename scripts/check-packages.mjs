// Packs every publishable package the way `pnpm publish` would, then checks the tarballs a user would install:
// no `workspace:` ranges left, publint clean, types that resolve (`attw`, ESM-only profile, every entry point), and
// `@effect-clerk/client` only ever a peer dependency of exactly the same version (one `ClerkClient` tag per project).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pack, packages, root, run } from "./pack.mjs"

const out = mkdtempSync(join(tmpdir(), "effect-clerk-pack-"))
let failures = 0

try {
  for (const name of packages) {
    const tarball = pack(name, out)
    const unpacked = mkdtempSync(join(out, `${name}-`))
    run("tar", ["-xzf", tarball, "-C", unpacked])
    const manifest = readFileSync(join(unpacked, "package", "package.json"), "utf8")
    const problems = []
    if (manifest.includes("workspace:")) problems.push("the packed package.json still has workspace: ranges")
    if (manifest.includes("\"source\"")) problems.push("the packed exports still point at sources")
    const { dependencies = {}, peerDependencies = {}, version } = JSON.parse(manifest)
    if ("@effect-clerk/client" in dependencies) problems.push("@effect-clerk/client is a dependency, not a peer")
    // The test-kit's own peers are exact, so whatever depends on it must take exactly the same version too.
    const exact = Object.entries(peerDependencies).concat(
      Object.entries(dependencies).filter(([dep]) => dep === "@effect-clerk/test-kit")
    )
    for (const [dep, range] of exact) {
      if (dep.startsWith("@effect-clerk/") && range !== version) {
        problems.push(`${dep} is "${range}", not exactly "${version}"`)
      }
    }
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
