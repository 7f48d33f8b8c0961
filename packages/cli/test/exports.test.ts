/**
 * The packages' public surface as Node itself resolves it, from a folder that depends on them: the launchers and the
 * `index` files are closed (importing one must fail to resolve, not run a CLI or start a server), every module meant
 * for users loads from the build.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")

// Prints what importing the specifier gave: "loaded", or the error's code. A launcher that ran instead prints its
// own output first, or never ends (the server's), which the timeout below turns into a failure.
const importer = `
try {
  await import(process.argv[1])
  console.log("\\n" + JSON.stringify("loaded"))
} catch (error) {
  console.log("\\n" + JSON.stringify(error.code ?? String(error)))
}
process.exit(0)
`

/** Imports one specifier in a fresh `node`, from the CLI's folder (which resolves every workspace package). */
const importFromPackage = (specifier: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "--eval", importer, specifier],
      { cwd: packageDir, timeout: 30_000, killSignal: "SIGKILL", env: { PATH: process.env["PATH"] ?? "" } },
      (error, stdout) => {
        if (error) return reject(new Error(`importing ${specifier} did not finish: ${error.message}\n${stdout}`))
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!))
      }
    )
  })

describe("the packages' exports, resolved by Node", () => {
  // The modules load from dist/: bring it up to date first (a no-op when `tsc -b` already ran).
  // Asynchronously: a build that blocks the worker for long makes vitest's own messages time out.
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [
      path.join(root, "node_modules/typescript/bin/tsc"),
      "-b",
      "packages/cli/tsconfig.build.json"
    ], {
      cwd: root
    })
  }, 300_000)

  it.each([
    "@effect-clerk/cli/bin",
    "@effect-clerk/test-kit/bin",
    "@effect-clerk/cli/index",
    "@effect-clerk/client/index",
    "@effect-clerk/schema/index",
    "@effect-clerk/test-kit/index",
    "@effect-clerk/client/internal/config",
    "@effect-clerk/test-kit/internal/emulator/state"
  ])("%s is not exported: importing it fails before anything runs", async (specifier) => {
    expect(await importFromPackage(specifier)).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })

  it.each([
    "@effect-clerk/client",
    "@effect-clerk/client/Sessions",
    "@effect-clerk/schema/Session",
    "@effect-clerk/test-kit",
    "@effect-clerk/test-kit/Emulator",
    "@effect-clerk/test-kit/EmulatorServer",
    "@effect-clerk/cli/BulkRevoke"
  ])("%s loads", async (specifier) => {
    expect(await importFromPackage(specifier)).toBe("loaded")
  })
})
