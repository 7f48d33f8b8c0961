// Shared by the package checks: packs a publishable package the way `pnpm publish` would (workspace: ranges
// replaced, publishConfig applied) and returns the tarball's path.
import { execFileSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"

export const root = new URL("..", import.meta.url).pathname

/** The published packages, dependencies first. */
export const packages = ["schema", "client", "test-kit", "cli", "auth"]

/** Runs a command to completion, stdin closed, stdout returned, stderr passed through. */
export const run = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString()

/**
 * The repository's pinned pnpm. Under `pnpm run`, npx warns about every pnpm setting pnpm put in the environment
 * (`npm_config_*`): `--loglevel=error` keeps its errors only.
 */
export const pnpm = (args, cwd) => run("npx", ["--loglevel=error", "-y", "pnpm@10.34.9", ...args], cwd)

/** `pnpm pack`s `packages/<name>` into `out` and returns the tarball's path. */
export const pack = (name, out) => {
  const before = new Set(readdirSync(out))
  pnpm(["pack", "--pack-destination", out], join(root, "packages", name))
  return join(out, readdirSync(out).find((file) => !before.has(file)))
}
