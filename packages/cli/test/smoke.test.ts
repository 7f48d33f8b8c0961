/**
 * The one test that runs the real bin, as a user's shell does: the launcher, `dist/`, `NodeRuntime` and the process's
 * own stdout and stderr (pipes here). Every other test of the commands runs them in-process.
 */
import { ActorToken } from "@effect-clerk/schema"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import * as path from "node:path"
import { ExitCode } from "../src/ExitCode.js"
import { buildCli, packageDir, runNode } from "./utils/process.js"

const bin = path.join(packageDir, "bin", "clerk-actor-tokens.js")

/** Runs `clerk-actor-tokens` as a process. */
const spawnCli = (args: ReadonlyArray<string>) => runNode(bin, args)

describe("the clerk-actor-tokens bin", () => {
  // The bin runs from the package's build: bring dist/ up to date first (a no-op when `tsc -b` already ran).
  beforeAll(() => {
    buildCli()
  }, 120_000)

  it.live("--help on a pipe: exit 0, plain text with every exit code", () =>
    Effect.gen(function*() {
      const help = yield* spawnCli(["--help"])
      expect(help.code).toBe(ExitCode.Ok)
      expect(help.stderr).toBe("")
      expect(help.stdout).not.toContain("\x1b")
      expect(help.stdout).toContain("EXIT CODES")
      for (const code of Object.values(ExitCode)) expect(help.stdout).toMatch(new RegExp(`^${code}$`, "m"))
    }), 60_000)

  it.live(
    "create --emulator --json: one JSON token on stdout, the notice on stderr, exit 0",
    () =>
      Effect.gen(function*() {
        const result = yield* spawnCli(["create", "--emulator", "--user", "user_1", "--actor", "user_2", "--json"])
        expect(result.code).toBe(ExitCode.Ok)
        expect(result.stdout.endsWith("}\n")).toBe(true)
        expect(result.stdout.trim().split("\n")).toHaveLength(1)
        const token = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))(result.stdout)
        expect(token).toMatchObject({ status: "pending", userId: "user_1", actor: { sub: "user_2" } })
        expect(Redacted.value(token.url!)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/tickets\/accept\?ticket=/)
        expect(result.stderr).toMatch(/^clerk-actor-tokens: --emulator: using the embedded Clerk emulator at http/)
        expect(result.stderr.trim().split("\n")).toHaveLength(1)
      }),
    60_000
  )
})
