/**
 * The one test that runs the real bin, as a user's shell does: the launcher, `dist/`, `NodeRuntime` and the process's
 * own stdout and stderr (pipes here). Every other test of the commands runs them in-process.
 */
import { ActorToken } from "@effect-clerk/schema"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { ExitCode } from "../src/ExitCode.js"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")
const bin = path.join(packageDir, "bin", "clerk-actor-tokens.js")

// The child never sees the CLERK_* variables of the machine running the tests, nor NO_COLOR.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith("CLERK_") && name !== "NO_COLOR")
)

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `clerk-actor-tokens` as a process; the child is killed when the effect ends, whatever happened. */
const spawnCli = (args: ReadonlyArray<string>): Effect.Effect<Result> =>
  Effect.acquireUseRelease(
    Effect.sync(() => spawn(process.execPath, [bin, ...args], { env, stdio: "pipe" })),
    (child: ChildProcess) =>
      Effect.async<Result>((resume) => {
        let stdout = ""
        let stderr = ""
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
        child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
      }),
    (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

describe("the clerk-actor-tokens bin", () => {
  // The bin runs from the package's build: bring dist/ up to date first (a no-op when `tsc -b` already ran).
  beforeAll(() => {
    execFileSync(process.execPath, [
      path.join(root, "node_modules/typescript/bin/tsc"),
      "-b",
      "packages/cli/tsconfig.build.json"
    ], { cwd: root, stdio: "inherit" })
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
