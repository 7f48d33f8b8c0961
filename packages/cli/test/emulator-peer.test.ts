/**
 * `@effect-clerk/test-kit` is an optional peer of the CLI: the built bin, installed in a project of its own with every
 * dependency but the test-kit, runs its commands, and `--emulator` says what to install; with the test-kit beside it,
 * `--emulator` runs.
 */
import { ActorToken } from "@effect-clerk/schema"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ExitCode } from "../src/ExitCode.js"
import { version } from "../src/internal/version.js"
import { buildCli, packageDir, runNode } from "./utils/process.js"

const testKit = "@effect-clerk/test-kit"

/**
 * A project outside the repository with the CLI installed in `node_modules`: its `package.json`, `bin` and `dist`
 * copied (so nothing resolves through the workspace), and its installed dependencies linked, all but the test-kit.
 */
const makeProject = (): string => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "effect-clerk-cli-peer-"))
  const modules = path.join(project, "node_modules")
  const cli = path.join(modules, "@effect-clerk", "cli")
  fs.mkdirSync(cli, { recursive: true })
  for (const entry of ["package.json", "bin", "dist"]) {
    fs.cpSync(path.join(packageDir, entry), path.join(cli, entry), { recursive: true })
  }
  const installed = path.join(packageDir, "node_modules")
  for (const entry of fs.readdirSync(installed)) {
    if (entry.startsWith(".")) continue
    const names = entry.startsWith("@")
      ? fs.readdirSync(path.join(installed, entry)).map((name) => `${entry}/${name}`)
      : [entry]
    for (const name of names.filter((name) => name !== testKit)) {
      fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true })
      fs.symlinkSync(fs.realpathSync(path.join(installed, name)), path.join(modules, name), "dir")
    }
  }
  return project
}

/** Runs the project's `clerk-actor-tokens`. */
const run = (project: string, args: ReadonlyArray<string>) =>
  runNode(path.join(project, "node_modules/@effect-clerk/cli/bin/clerk-actor-tokens.js"), args, { cwd: project })

describe("the test-kit, an optional peer of the CLI", () => {
  let project = ""
  beforeAll(() => {
    buildCli()
    project = makeProject()
  }, 120_000)
  afterAll(() => {
    if (project !== "") fs.rmSync(project, { recursive: true, force: true })
  })

  it.live("without it, the commands run and --emulator names the package to install (exit 3)", () =>
    Effect.gen(function*() {
      const help = yield* run(project, ["--help"])
      expect(help.stderr).toBe("")
      expect(help.code).toBe(ExitCode.Ok)

      const missing = yield* run(project, ["create", "--emulator", "--user", "user_1", "--actor", "user_2", "--json"])
      expect(missing.code).toBe(ExitCode.Configuration)
      expect(missing.stdout).toBe("")
      expect(missing.stderr).toMatch(/^clerk-actor-tokens: error: --emulator needs @effect-clerk\/test-kit@/)
      expect(missing.stderr).toContain(`npm install ${testKit}@${version}`)
      expect(missing.stderr.trim().split("\n")).toHaveLength(1)
    }))

  it.live("with it beside the CLI, --emulator creates a token", () =>
    Effect.gen(function*() {
      const withKit = fs.mkdtempSync(path.join(os.tmpdir(), "effect-clerk-cli-peer-kit-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(withKit, { recursive: true, force: true })))
      fs.cpSync(project, withKit, { recursive: true, verbatimSymlinks: true })
      fs.symlinkSync(
        fs.realpathSync(path.join(packageDir, "node_modules", testKit)),
        path.join(withKit, "node_modules", testKit),
        "dir"
      )
      const result = yield* run(withKit, ["create", "--emulator", "--user", "user_1", "--actor", "user_2", "--json"])
      expect(result.code).toBe(ExitCode.Ok)
      const token = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))(result.stdout)
      expect(token.userId).toBe("user_1")
    }).pipe(Effect.scoped))
})
