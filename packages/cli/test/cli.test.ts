import { ActorToken } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "@effect/vitest"
import { Effect, Option, Redacted, Schema } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as BulkRevoke from "../src/BulkRevoke.js"
import { ExitCode } from "../src/ExitCode.js"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")
const bin = path.join(packageDir, "bin", "clerk-actor-tokens.js")
const scratch = mkdtempSync(path.join(tmpdir(), "clerk-actor-tokens-"))

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

// The child never sees the CLERK_* variables of the machine running the tests: only those a test gives it.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("CLERK_")))

const kill = (child: ChildProcess): void => {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}

/**
 * Runs `clerk-actor-tokens` as a process. The process is killed when the effect is interrupted (an assertion failed
 * beside it, the test timed out) and when the test ends, however it ends: no child outlives its test.
 */
const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Effect.Effect<Result> =>
  Effect.async<Result>((resume) => {
    const started = Date.now()
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, stdio: "pipe" })
    onTestFinished(() => kill(child))
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", (error) => resume(Effect.die(error)))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr, millis: Date.now() - started })))
    return Effect.sync(() => kill(child))
  })

const idsFile = (name: string, lines: ReadonlyArray<string>): string => {
  const file = path.join(scratch, name)
  writeFileSync(file, lines.join("\n"))
  return file
}

const decodeTokenJson = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))
const decodeSummaryJson = Schema.decodeUnknownSync(Schema.parseJson(BulkRevoke.Summary))

/** A pending token made through the emulator's own HTTP app, as another client would. */
const createPending = (server: EmulatorServer.Service, userId = "user_customer") =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}/v1/actor_tokens`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${Redacted.value(server.emulator.options.secretKey)}`,
        "content-type": "application/json"
      },
      body: JSON.stringify({ user_id: userId, actor: { sub: "user_support" } })
    })
    return decodeTokenJson(await response.text()).id
  })

const noRequests = { create: 0, revoke: 0, accept: 0, unmatched: 0 }

describe("clerk-actor-tokens", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  // The bin runs from the package's build: bring dist/ up to date first (a no-op when `tsc -b` already ran).
  beforeAll(() => {
    execFileSync(process.execPath, [
      path.join(root, "node_modules/typescript/bin/tsc"),
      "-b",
      "packages/cli/tsconfig.build.json"
    ], {
      cwd: root,
      stdio: "inherit"
    })
  }, 120_000)

  // Live services, no TestClock: the emulator runs in this process and must keep real time for the CLI processes.
  // Each test starts its own emulator (closed with the test's scope): no test sees another's requests or tokens.
  describe("against the loopback emulator", () => {
    const withKey = (server: EmulatorServer.Service) => ({
      CLERK_SECRET_KEY: Redacted.value(server.emulator.options.secretKey),
      CLERK_API_URL: server.url
    })

    it.scopedLive("create --json: one JSON object on stdout, claims and durations reach Clerk", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const result = yield* cli([
          "create",
          "--user",
          "user_customer",
          "--actor",
          "user_support",
          "--claim",
          "reason=ticket 1234=a",
          "--claim",
          "level:=3",
          "--claim",
          "tags:=[\"vip\",\"eu\"]",
          "--expires-in",
          "10m",
          "--session-max",
          "1h30m",
          "--json"
        ], withKey(server))
        expect(result.stderr).toBe("")
        expect(result.code).toBe(ExitCode.Ok)
        expect(result.stdout.endsWith("}\n")).toBe(true)
        expect(result.stdout.trim().split("\n")).toHaveLength(1)
        const token = decodeTokenJson(result.stdout)
        const wire = JSON.parse(result.stdout) as Record<string, unknown>
        expect(Object.keys(wire)).toEqual(expect.arrayContaining(["id", "status", "user_id", "actor", "token", "url"]))
        const stored = Option.getOrThrow(yield* server.emulator.find(token.id))
        expect(stored.actor).toEqual({ sub: "user_support", reason: "ticket 1234=a", level: 3, tags: ["vip", "eu"] })
        expect(stored.expiresAt - stored.createdAt).toBe(600_000)
        expect(stored.sessionMaxDurationInSeconds).toBe(5400)
        expect(wire["url"]).toBe(Redacted.value(stored.url!))
        expect(wire["token"]).toBe(Redacted.value(stored.token!))
      }))

    it.scopedLive("create for humans prints id, status and url; revoke revokes it", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const created = yield* cli(["create", "--user", "user_customer", "--actor", "user_support"], withKey(server))
        expect(created.code).toBe(ExitCode.Ok)
        const id = /^id +(act_\w+)$/m.exec(created.stdout)?.[1]
        expect(id).toBeDefined()
        const stored = Option.getOrThrow(yield* server.emulator.find(id!))
        expect(created.stdout).toMatch(/^status +pending$/m)
        expect(created.stdout).toContain(`url     ${Redacted.value(stored.url!)}\n`)
        expect(stored.expiresAt - stored.createdAt).toBe(3_600_000) // no --expires-in: nothing sent, Clerk's default

        const revoked = yield* cli(["revoke", id!], withKey(server))
        expect(revoked.code).toBe(ExitCode.Ok)
        expect(revoked.stdout).toMatch(/^status +revoked$/m)
        expect(Option.getOrThrow(yield* server.emulator.find(id!)).status).toBe("revoked")
      }))

    it.scopedLive("revoke --json prints the revoked token; an accepted token gives 6 with the Clerk code", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const pending = yield* createPending(server)
        const revoked = yield* cli(["revoke", pending, "--json"], withKey(server))
        expect(revoked.code).toBe(ExitCode.Ok)
        expect(decodeTokenJson(revoked.stdout).status).toBe("revoked")
        expect(revoked.stderr).toBe("")

        const accepted = yield* createPending(server)
        yield* server.emulator.accept(accepted)
        const refused = yield* cli(["revoke", accepted, "--json"], withKey(server))
        expect(refused.code).toBe(ExitCode.Refused)
        expect(refused.stdout).toBe("")
        expect(refused.stderr).toContain("400 actor_token_cannot_be_revoked_code")
        expect(refused.stderr).toContain("its status is accepted")
        expect(refused.stderr.trim().split("\n")).toHaveLength(1)
      }))

    it.scopedLive("an unknown id gives 5; an invalid id, duration or claim gives 2 and sends nothing", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const env = withKey(server)
        const [unknown, badId, badUser, badDuration, subClaim] = yield* Effect.all([
          cli(["revoke", "act_doesnotexist"], env),
          cli(["revoke", "act_1/../../users"], env),
          cli(["create", "--user", "user 1", "--actor", "user_2"], env),
          cli(["create", "--user", "u", "--actor", "a", "--expires-in", "0"], env),
          cli(["create", "--user", "u", "--actor", "a", "--claim", "sub=x"], env)
        ], { concurrency: "unbounded" })
        expect(unknown.code).toBe(ExitCode.NotFound)
        expect(unknown.stderr).toContain("404 resource_not_found")
        expect(badId.code).toBe(ExitCode.Usage)
        expect(badId.stderr).toContain("may contain only letters")
        expect(badUser.code).toBe(ExitCode.Usage)
        expect(badDuration.code).toBe(ExitCode.Usage)
        expect(badDuration.stderr).toContain("--expires-in")
        expect(subClaim.code).toBe(ExitCode.Usage)
        // Only the unknown id reached the server.
        expect(yield* server.emulator.requestCounts).toEqual({ ...noRequests, revoke: 1 })
      }))

    it.scopedLive("revoke --from-file: a mixed file gives a summary, progress on stderr, and exit 1", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const [a, b, accepted, revoked] = yield* Effect.all([
          createPending(server),
          createPending(server),
          createPending(server),
          createPending(server)
        ])
        yield* server.emulator.accept(accepted)
        yield* cli(["revoke", revoked], withKey(server))
        const file = idsFile("mixed.txt", [
          "# tokens of the incident",
          a,
          "",
          `${accepted}   # opened by the customer`,
          "act_unknown0000000000000000000",
          revoked,
          b,
          a
        ])
        const result = yield* cli(["revoke", "--from-file", file, "--json"], withKey(server))
        expect(result.code).toBe(ExitCode.BulkIncomplete)
        const summary = decodeSummaryJson(result.stdout)
        expect(summary).toMatchObject({ total: 5, revoked: 2, notPending: 2, failed: 1 })
        expect(summary.results.map((r) => [r.id, r.outcome])).toEqual([
          [a, "revoked"],
          [accepted, "not_pending"],
          ["act_unknown0000000000000000000", "failed"],
          [revoked, "not_pending"],
          [b, "revoked"]
        ])
        expect(summary.results[2]?.error).toMatchObject({ httpStatus: 404, code: "resource_not_found" })
        expect(summary.results[1]?.error?.code).toBe("actor_token_cannot_be_revoked_code")
        expect(result.stderr).toContain("1 repeated id(s)")
        expect(result.stderr.match(/^\[\d\/5\] act_\w+ /gm)).toHaveLength(5)
        expect(result.stderr).toContain("1 of 5 id(s) could not be revoked")
        expect(Option.getOrThrow(yield* server.emulator.find(b)).status).toBe("revoked")

        // For humans: the same counts on stdout, and the failed id with its code.
        const again = yield* cli(["revoke", "--from-file", file], withKey(server))
        expect(again.code).toBe(ExitCode.BulkIncomplete)
        expect(again.stdout).toMatch(/^not pending +4/m)
        expect(again.stdout).toContain("act_unknown0000000000000000000  404 resource_not_found")
      }))

    it.scopedLive("an invalid line refuses the whole file before any request", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const file = idsFile("invalid.txt", ["act_fine", "act_not fine", "act_?x"])
        const result = yield* cli(["revoke", "--from-file", file], withKey(server))
        expect(result.code).toBe(ExitCode.Usage)
        expect(result.stderr).toContain("line 2")
        expect(result.stderr).toContain("line 3")
        expect(yield* server.emulator.requestCounts).toEqual(noRequests)
      }))

    it.scopedLive("a 429 whose Retry-After is too long gives 7; a short one is waited for", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const id = yield* createPending(server)
        yield* server.emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "5 minutes" }), {
          operation: "revoke"
        })
        const limited = yield* cli(["revoke", id], withKey(server))
        expect(limited.code).toBe(ExitCode.RateLimited)
        expect(limited.stderr).toContain("429 too_many_requests")

        // Bulk: the first two revokes are answered 429 with Retry-After: 1; the client waits, retries, succeeds.
        const ids = [id, yield* createPending(server), yield* createPending(server)]
        yield* server.emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "1 second" }), {
          operation: "revoke",
          times: 2
        })
        const bulk = yield* cli(["revoke", "--from-file", idsFile("limited.txt", ids)], withKey(server))
        expect(bulk.code).toBe(ExitCode.Ok)
        expect(bulk.stdout).toMatch(/^revoked +3$/m)
        expect(bulk.millis).toBeGreaterThanOrEqual(1000)
        // 1 refused single revoke, then 2 answered 429 and 3 that went through.
        expect(yield* server.emulator.requestCount("revoke")).toBe(6)
      }))

    it.scopedLive("a missing key is refused with 3 before any request", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const [result, publishable] = yield* Effect.all([
          cli(["revoke", "act_1", "--api-url", server.url]),
          cli(["revoke", "act_1", "--api-url", server.url], { CLERK_SECRET_KEY: "pk_test_x" })
        ], { concurrency: "unbounded" })
        expect(result.code).toBe(ExitCode.Configuration)
        expect(result.stderr).toContain("CLERK_SECRET_KEY is not set")
        expect(result.stdout).toBe("")
        expect(publishable.code).toBe(ExitCode.Configuration)
        expect(yield* server.emulator.requestCounts).toEqual(noRequests)
      }))

    it.scopedLive("the secret key is never printed, even with debug logs (401 gives 4)", () =>
      Effect.gen(function*() {
        const server = yield* EmulatorServer.make()
        const sentinel = "sk_test_SENTINEL_never_print_me_0123456789"
        const env = { CLERK_SECRET_KEY: sentinel, CLERK_API_URL: server.url }
        const runs = yield* Effect.all([
          cli(["--log-level", "debug", "create", "--user", "user_1", "--actor", "user_2", "--json"], env),
          cli(["--log-level", "debug", "revoke", "act_abc"], env),
          cli(["revoke", "--from-file", idsFile("sentinel.txt", ["act_a", "act_b", "act_c"]), "--json"], env)
        ], { concurrency: "unbounded" })
        for (const run of runs) {
          expect(run.code).toBe(ExitCode.Authentication)
          expect(run.stderr).toContain("clerk_key_invalid")
          expect(run.stdout + run.stderr).not.toContain("SENTINEL")
        }
        expect(runs[0].stderr).toContain("DEBUG")
      }))

    it.scopedLive("--rate keeps under the server's limit: no 429 at all", () =>
      Effect.gen(function*() {
        // A server limited to 4 requests per second. Five revokes at once would meet a 429 (and a retry);
        // under a ceiling of 2 per second, no 1-second window of the server ever sees more than 4.
        const limited = yield* EmulatorServer.make({ rateLimit: { requests: 4, window: "1 second" } })
        const pending = [yield* createPending(limited), yield* createPending(limited), yield* createPending(limited)]
        const ids = [...pending, "act_unknown1", "act_unknown2"]
        yield* Effect.sleep("1100 millis") // a fresh window
        const result = yield* cli(["revoke", "--from-file", idsFile("rate.txt", ids), "--rate", "2/1s", "--json"], {
          CLERK_SECRET_KEY: Redacted.value(limited.emulator.options.secretKey),
          CLERK_API_URL: limited.url
        })
        expect(result.code).toBe(ExitCode.BulkIncomplete)
        expect(decodeSummaryJson(result.stdout)).toMatchObject({ total: 5, revoked: 3, failed: 2 })
        expect(yield* limited.emulator.requestCount("revoke")).toBe(5) // each id sent once: never a 429
        expect(result.millis).toBeGreaterThanOrEqual(2000) // 2 + 2 + 1 requests: three windows
      }))
  })

  describe("without a key", () => {
    it.live("create --emulator --user user_1 --actor user_2 --json prints a token from the embedded emulator", () =>
      Effect.gen(function*() {
        const result = yield* cli(["create", "--emulator", "--user", "user_1", "--actor", "user_2", "--json"])
        expect(result.code).toBe(ExitCode.Ok)
        const token = decodeTokenJson(result.stdout)
        expect(token).toMatchObject({ status: "pending", userId: "user_1", actor: { sub: "user_2" } })
        expect(Redacted.value(token.url!)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/tickets\/accept\?ticket=/)
        expect(result.stderr).toMatch(/^clerk-actor-tokens: --emulator: using the embedded Clerk emulator at http/)
      }))

    it.live("--help documents every exit code; a bad flag gives 2", () =>
      Effect.gen(function*() {
        const [help, bad] = yield* Effect.all([
          cli(["revoke", "--help"]),
          cli(["create", "--emulator", "--user", "u", "--actor", "a", "--bogus"])
        ], { concurrency: "unbounded" })
        expect(help.code).toBe(ExitCode.Ok)
        const text = help.stdout.replace(/\x1b\[[0-9;]*m/g, "")
        expect(text).toContain("EXIT CODES")
        for (const code of Object.values(ExitCode)) expect(text).toMatch(new RegExp(`^${code}$`, "m"))
        expect(text).toContain("CLERK_SECRET_KEY")
        expect(bad.code).toBe(ExitCode.Usage)
        expect(bad.stdout).toBe("")
      }))
  })
})
