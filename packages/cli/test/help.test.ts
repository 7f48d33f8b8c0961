import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ExitCode } from "../src/ExitCode.js"
import { version } from "../src/internal/version.js"
import { cli } from "./utils/harness.js"

// Nothing here reaches Clerk; the HttpClient is only what `Cli.run` asks for.
const run = (args: ReadonlyArray<string>, options?: Parameters<typeof cli>[1]) =>
  cli(args, options).pipe(Effect.provide(FetchHttpClient.layer))

const ansi = /\x1b\[/

describe("--help", () => {
  it.effect("documents every exit code and the environment", () =>
    Effect.gen(function*() {
      const help = yield* run(["revoke", "--help"])
      expect(help.code).toBe(ExitCode.Ok)
      expect(help.stderr).toBe("")
      expect(help.stdout).toContain("EXIT CODES")
      for (const code of Object.values(ExitCode)) expect(help.stdout).toMatch(new RegExp(`^${code}$`, "m"))
      expect(help.stdout).toContain("CLERK_SECRET_KEY")
      expect(help.stdout).toMatch(/^--concurrency n$/m)
    }))

  it.effect("prints no ANSI codes when stdout is not a terminal; colours on a terminal unless NO_COLOR", () =>
    Effect.gen(function*() {
      const piped = yield* run(["--help"])
      const terminal = yield* run(["--help"], { stdoutIsTerminal: true })
      const noColor = yield* run(["--help"], { stdoutIsTerminal: true, env: { NO_COLOR: "1" } })
      const emptyNoColor = yield* run(["--help"], { stdoutIsTerminal: true, env: { NO_COLOR: "" } })
      expect(piped.stdout).not.toMatch(ansi)
      expect(terminal.stdout).toMatch(ansi)
      expect(noColor.stdout).not.toMatch(ansi)
      expect(emptyNoColor.stdout).toMatch(ansi) // https://no-color.org: set *and* not empty
      // The same text, colours aside.
      expect(terminal.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toBe(piped.stdout)
      expect(noColor.stdout).toBe(piped.stdout)
      expect(piped.stdout).toContain("USAGE")
    }))

  it.effect("the usage line shows --claim as optional and repeatable, --user and --actor as required", () =>
    Effect.gen(function*() {
      const help = yield* run(["create", "--help"])
      const usage = help.stdout.split("\n").find((line) => line.startsWith("$ create "))
      expect(usage).toBe(
        "$ create [--api-url url] [--emulator] [--json] --user user_id --actor user_id [--claim key=value...] " +
          "[--expires-in duration] [--session-max duration]"
      )
      expect(help.stdout).toMatch(/^--claim key=value\.\.\.$/m)
      expect(help.stdout).toContain("This option may be repeated zero or more times.")
    }))

  it.effect("--version prints the version on stdout", () =>
    Effect.gen(function*() {
      const result = yield* run(["--version"])
      expect(result.code).toBe(ExitCode.Ok)
      expect(result.stdout.trim()).toBe(version)
      expect(result.stderr).toBe("")
    }))
})

describe("usage errors", () => {
  it.effect("a bad flag gives 2 and one line on stderr, with the program's name, like every other error", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["create", "--emulator", "--user", "u", "--actor", "a", "--bogus"], "Received unknown argument: '--bogus'"],
        [["create", "--emulator", "--actor", "a"], "Expected to find option: '--user'"],
        [["bogus"], "Invalid subcommand for clerk-actor-tokens - use one of 'create', 'revoke', 'sessions', 'end'"],
        [["revoke", "--concurrency", "abc"], "'abc' is not a integer"],
        [[], "missing a command: create, revoke, sessions or end (see --help)"]
      ]
      for (const [args, message] of cases) {
        const result = yield* run(args, { stdoutIsTerminal: true, stderrIsTerminal: true })
        expect(result).toEqual({ code: ExitCode.Usage, stdout: "", stderr: `clerk-actor-tokens: error: ${message}\n` })
      }
    }))

  it.effect("after --log-level, a usage error is still printed once", () =>
    Effect.gen(function*() {
      const result = yield* run(["--log-level", "debug", "create", "--user", "u"])
      expect(result.code).toBe(ExitCode.Usage)
      expect(result.stdout).toBe("")
      expect(result.stderr).toBe("clerk-actor-tokens: error: Expected to find option: '--actor'\n")
    }))
})
