import { ActorToken } from "@effect-clerk/schema"
import { Emulator, EmulatorServer } from "@effect-clerk/test-kit"
import { FetchHttpClient } from "@effect/platform"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema, TestClock } from "effect"
import * as BulkRevoke from "../src/BulkRevoke.js"
import { ExitCode } from "../src/ExitCode.js"
import { cli, createPending, envOf, inMemory, onTestClock, scratch, totalRequests } from "./utils/harness.js"

const decodeTokenJson = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))
const decodeSummaryJson = Schema.decodeUnknownSync(Schema.parseJson(BulkRevoke.Summary))

/** Exactly one JSON document on stdout: one line, and nothing else. */
const expectOneJsonLine = (stdout: string) => {
  expect(stdout.endsWith("}\n")).toBe(true)
  expect(stdout.slice(0, -1)).not.toContain("\n")
  expect(() => JSON.parse(stdout)).not.toThrow()
}

const files = scratch()
afterAll(() => files.cleanup())

describe("create", () => {
  it.effect("create --json: one JSON document on stdout and nothing else, claims and durations reach Clerk", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
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
      ], { env: envOf(emulator) })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(ExitCode.Ok)
      expectOneJsonLine(result.stdout)
      const token = decodeTokenJson(result.stdout)
      const wire = JSON.parse(result.stdout) as Record<string, unknown>
      expect(Object.keys(wire)).toEqual(expect.arrayContaining(["id", "status", "user_id", "actor", "token", "url"]))
      const stored = Option.getOrThrow(yield* emulator.find(token.id))
      expect(stored.actor).toEqual({ sub: "user_support", reason: "ticket 1234=a", level: 3, tags: ["vip", "eu"] })
      expect(stored.expiresAt - stored.createdAt).toBe(600_000)
      expect(stored.sessionMaxDurationInSeconds).toBe(5400)
      expect(wire["url"]).toBe(Redacted.value(stored.url!))
      expect(wire["token"]).toBe(Redacted.value(stored.token!))
    }).pipe(Effect.provide(inMemory())))

  it.effect("create for humans prints id, status and url; revoke revokes it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const created = yield* cli(["create", "--user", "user_customer", "--actor", "user_support"], {
        env: envOf(emulator)
      })
      expect(created.code).toBe(ExitCode.Ok)
      expect(created.stderr).toBe("")
      const id = /^id +(act_\w+)$/m.exec(created.stdout)?.[1]
      expect(id).toBeDefined()
      const stored = Option.getOrThrow(yield* emulator.find(id!))
      expect(created.stdout).toMatch(/^status +pending$/m)
      expect(created.stdout).toMatch(/^user +user_customer$/m)
      expect(created.stdout).toMatch(/^actor +\{"sub":"user_support"\}$/m)
      expect(created.stdout).toContain(`url     ${Redacted.value(stored.url!)}\n`)
      expect(stored.expiresAt - stored.createdAt).toBe(3_600_000) // no --expires-in: nothing sent, Clerk's default

      const revoked = yield* cli(["revoke", id!], { env: envOf(emulator) })
      expect(revoked.code).toBe(ExitCode.Ok)
      expect(revoked.stdout).toBe(`id      ${id}\nstatus  revoked\n`)
      expect(Option.getOrThrow(yield* emulator.find(id!)).status).toBe("revoked")
    }).pipe(Effect.provide(inMemory())))
})

describe("revoke", () => {
  it.effect("revoke --json prints the revoked token; an accepted token gives 6 with the Clerk code", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      const pending = yield* createPending()
      const revoked = yield* cli(["revoke", pending, "--json"], { env })
      expect(revoked.code).toBe(ExitCode.Ok)
      expectOneJsonLine(revoked.stdout)
      expect(decodeTokenJson(revoked.stdout).status).toBe("revoked")
      expect(revoked.stderr).toBe("")

      const accepted = yield* createPending()
      yield* emulator.accept(accepted)
      const refused = yield* cli(["revoke", accepted, "--json"], { env })
      expect(refused.code).toBe(ExitCode.Refused)
      expect(refused.stdout).toBe("")
      expect(refused.stderr).toMatch(/^clerk-actor-tokens: error: Clerk refused the request \(400 /)
      expect(refused.stderr).toContain("400 actor_token_cannot_be_revoked_code")
      expect(refused.stderr).toContain("its status is accepted")
      // One error line, then where to go: the impersonation is a session now.
      const [, hint, ...rest] = refused.stderr.trim().split("\n")
      expect(hint).toMatch(/^clerk-actor-tokens: the token is no longer pending: .*`clerk-actor-tokens end --user /)
      expect(rest).toEqual([])
    }).pipe(Effect.provide(inMemory())))

  it.effect("an unknown id gives 5; an invalid id, duration, claim or concurrency gives 2 and sends nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      const before = yield* totalRequests(emulator)
      const unknown = yield* cli(["revoke", "act_doesnotexist"], { env })
      expect(unknown.code).toBe(ExitCode.NotFound)
      expect(unknown.stderr).toContain("404 resource_not_found")
      // Only the unknown id reached the server.
      expect(yield* totalRequests(emulator)).toBe(before + 1)

      const usage: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["revoke", "act_1/../../users"], "act_id \"act_1/../../users\": ActorTokenId may contain only letters"],
        [["create", "--user", "user 1", "--actor", "user_2"], "--user \"user 1\": "],
        [["create", "--user", "u", "--actor", "a", "--expires-in", "0"], "--expires-in \"0\": "],
        [["create", "--user", "u", "--actor", "a", "--claim", "sub=x"], "--claim sub=… is not allowed"],
        [["create", "--user", "u", "--actor", "a", "--claim", "nokey"], "--claim \"nokey\": not a claim"],
        [["revoke", "act_1", "--concurrency", "0"], "--concurrency 0: must be a whole number from 1 to 32"],
        [["revoke", "act_1", "--concurrency", "33"], "--concurrency 33: must be a whole number from 1 to 32"],
        [["revoke", "act_1", "--rate", "10"], "--rate \"10\": not a rate"]
      ]
      for (const [args, message] of usage) {
        const result = yield* cli(args, { env })
        expect(result.code, args.join(" ")).toBe(ExitCode.Usage)
        expect(result.stdout).toBe("")
        expect(result.stderr).toMatch(/^clerk-actor-tokens: error: [^\n]+\n$/)
        expect(result.stderr).toContain(`clerk-actor-tokens: error: ${message}`)
      }
      expect(yield* totalRequests(emulator)).toBe(before + 1)
    }).pipe(Effect.provide(inMemory())))

  it.effect("revoke --from-file: a mixed file gives a summary, progress on stderr, and exit 1", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      const [a, b, accepted, revoked] = [
        yield* createPending(),
        yield* createPending(),
        yield* createPending(),
        yield* createPending()
      ]
      yield* emulator.accept(accepted)
      expect((yield* cli(["revoke", revoked], { env })).code).toBe(ExitCode.Ok)
      const file = files.file("mixed.txt", [
        "# tokens of the incident",
        a,
        "",
        `${accepted}   # opened by the customer`,
        "act_unknown0000000000000000000",
        revoked,
        b,
        a
      ])
      const result = yield* cli(["revoke", "--from-file", file, "--json"], { env })
      expect(result.code).toBe(ExitCode.BulkIncomplete)
      expectOneJsonLine(result.stdout)
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
      expect(result.stderr).toContain("clerk-actor-tokens: 1 repeated id(s) in the file: each id is revoked once\n")
      expect(result.stderr.match(/^\[\d\/5\] act_\w+ /gm)).toHaveLength(5)
      expect(result.stderr).toMatch(/^\[\d\/5\] act_unknown0000000000000000000 failed \(404 resource_not_found\)$/m)
      expect(result.stderr).not.toContain("\x1b")
      expect(result.stderr.endsWith("clerk-actor-tokens: error: 1 of 5 id(s) could not be revoked\n")).toBe(true)
      expect(Option.getOrThrow(yield* emulator.find(b)).status).toBe("revoked")

      // For humans: the same counts on stdout, and the failed id with its code.
      const again = yield* cli(["revoke", "--from-file", file], { env })
      expect(again.code).toBe(ExitCode.BulkIncomplete)
      expect(again.stdout).toMatch(/^revoked +0$/m)
      expect(again.stdout).toMatch(/^not pending +4 \(already accepted or revoked\)$/m)
      expect(again.stdout).toMatch(/^failed +1$/m)
      expect(again.stdout).toContain("  act_unknown0000000000000000000  404 resource_not_found: ")
    }).pipe(Effect.provide(inMemory())))

  it.effect("on a terminal, the progress is one line redrawn in place, cut to the terminal's width", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const ids = [yield* createPending(), yield* createPending(), yield* createPending()]
      const result = yield* cli(["revoke", "--from-file", files.file("terminal.txt", ids)], {
        env: envOf(emulator),
        stderrIsTerminal: true,
        columns: 40
      })
      expect(result.code).toBe(ExitCode.Ok)
      const draws = result.stderr.split("\r\x1b[2K").slice(1)
      expect(draws).toHaveLength(1 + 3 + 1) // the empty bar, one per id, the last status
      expect(draws[0]).toBe("revoking [--------------------] 0/3 · r") // 39 columns: never wraps
      for (const draw of draws.slice(0, -1)) expect(draw.length).toBeLessThanOrEqual(39)
      expect(draws.at(-1)).toBe("3/3 · revoked 3 · not pending 0 · failed 0\n")
      expect(result.stderr).not.toMatch(/^\[\d\/3\]/m)
      expect(result.stdout).toMatch(/^revoked +3$/m)
    }).pipe(Effect.provide(inMemory())))

  it.effect("an invalid line refuses the whole file before any request", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const before = yield* totalRequests(emulator)
      const file = files.file("invalid.txt", ["act_fine", "act_not fine", "act_?x"])
      const result = yield* cli(["revoke", "--from-file", file], { env: envOf(emulator) })
      expect(result.code).toBe(ExitCode.Usage)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: --from-file [^\n]*line 2: [^\n]*line 3: [^\n]*\n$/)
      expect(yield* totalRequests(emulator)).toBe(before)
    }).pipe(Effect.provide(inMemory())))

  it.effect("an act_id and --from-file together, or neither, give 2 before the client starts (even without a key)", () =>
    Effect.gen(function*() {
      const both = yield* cli(["revoke", "act_1", "--from-file", files.file("both.txt", ["act_2"]), "--emulator"])
      expect(both).toEqual({
        code: ExitCode.Usage,
        stdout: "",
        stderr: "clerk-actor-tokens: error: give an act_id or --from-file <file>, not both\n"
      })
      const neither = yield* cli(["revoke"])
      expect(neither).toEqual({
        code: ExitCode.Usage,
        stdout: "",
        stderr: "clerk-actor-tokens: error: give an act_id, or --from-file <file>\n"
      })
    }).pipe(Effect.provide(inMemory())))

  it.effect("a 429 whose Retry-After is too long gives 7; a short one is waited for", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      const id = yield* createPending()
      yield* emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "5 minutes" }), { operation: "revoke" })
      const limited = yield* cli(["revoke", id], { env })
      expect(limited.code).toBe(ExitCode.RateLimited)
      expect(limited.stderr).toContain("429 too_many_requests")
      expect(limited.stderr).toContain("Clerk asked to wait 5m")

      // Bulk: the first two revokes are answered 429 with Retry-After: 1; the client waits, retries, succeeds.
      const ids = [id, yield* createPending(), yield* createPending()]
      yield* emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "1 second" }), {
        operation: "revoke",
        times: 2
      })
      const revokesBefore = yield* emulator.requestCount("revoke")
      const started = yield* TestClock.currentTimeMillis
      const bulk = yield* onTestClock(cli(["revoke", "--from-file", files.file("limited.txt", ids)], { env }))
      expect(bulk.code).toBe(ExitCode.Ok)
      expect(bulk.stdout).toMatch(/^revoked +3$/m)
      expect((yield* TestClock.currentTimeMillis) - started).toBeGreaterThanOrEqual(1000)
      expect((yield* emulator.requestCount("revoke")) - revokesBefore).toBe(5)
    }).pipe(Effect.provide(inMemory())))

  it.effect("--rate keeps under the server's limit: no 429 at all", () =>
    Effect.gen(function*() {
      // A server limited to 4 requests per second. Five revokes at once would meet a 429 (and a retry); under a
      // ceiling of 2 per second, no 1-second window of the server ever sees more than 4.
      const emulator = yield* Emulator.Emulator
      const pending = [yield* createPending(), yield* createPending(), yield* createPending()]
      const ids = [...pending, "act_unknown1", "act_unknown2"]
      yield* TestClock.adjust("1100 millis") // a fresh window
      const started = yield* TestClock.currentTimeMillis
      const result = yield* onTestClock(
        cli(["revoke", "--from-file", files.file("rate.txt", ids), "--rate", "2/1s", "--json"], {
          env: envOf(emulator)
        })
      )
      expect(result.code).toBe(ExitCode.BulkIncomplete)
      expect(decodeSummaryJson(result.stdout)).toMatchObject({ total: 5, revoked: 3, failed: 2 })
      expect(yield* emulator.requestCount("revoke")).toBe(5) // each id sent once: never a 429
      expect((yield* TestClock.currentTimeMillis) - started).toBeGreaterThanOrEqual(2000) // 2 + 2 + 1: three windows
    }).pipe(Effect.provide(inMemory({ rateLimit: { limit: 4, interval: "1 second" } }))))
})

describe("configuration", () => {
  it.effect("a missing or publishable key is refused with 3 before any request", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const before = yield* totalRequests(emulator)
      const apiUrl = ["--api-url", emulator.options.baseUrl]
      const missing = yield* cli(["revoke", "act_1", ...apiUrl])
      expect(missing.code).toBe(ExitCode.Configuration)
      expect(missing.stderr).toMatch(
        /^clerk-actor-tokens: error: CLERK_SECRET_KEY is not set: [^\n]*--emulator[^\n]*\n$/
      )
      expect(missing.stdout).toBe("")
      const publishable = yield* cli(["revoke", "act_1", ...apiUrl], { env: { CLERK_SECRET_KEY: "pk_test_x" } })
      expect(publishable.code).toBe(ExitCode.Configuration)
      expect(publishable.stderr).toBe(
        "clerk-actor-tokens: error: invalid CLERK_SECRET_KEY: " +
          "this is a publishable key (pk_…): the Backend API needs the secret key (sk_…)\n"
      )
      expect(yield* totalRequests(emulator)).toBe(before)
    }).pipe(Effect.provide(inMemory())))

  it.effect("an API URL the client refuses gives 3, from --api-url or CLERK_API_URL", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const refused = "clerk-actor-tokens: error: invalid API URL (--api-url / CLERK_API_URL): apiUrl must use https"
      const key = { CLERK_SECRET_KEY: Redacted.value(emulator.options.secretKey) }
      const flag = yield* cli(["revoke", "act_1", "--api-url", "http://example.com"], { env: key })
      expect(flag.code).toBe(ExitCode.Configuration)
      expect(flag.stderr).toContain(refused)
      const env = yield* cli(["revoke", "act_1"], { env: { ...key, CLERK_API_URL: "http://example.com" } })
      expect(env.code).toBe(ExitCode.Configuration)
      expect(env.stderr).toContain(refused)
      expect(yield* totalRequests(emulator)).toBe(0)
    }).pipe(Effect.provide(inMemory())))

  it.effect("the secret key is never printed, even with debug logs (401 gives 4)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const sentinel = "sk_test_SENTINEL_never_print_me_0123456789"
      const env = { CLERK_SECRET_KEY: sentinel, CLERK_API_URL: emulator.options.baseUrl }
      const runs = [
        yield* cli(["--log-level", "debug", "create", "--user", "user_1", "--actor", "user_2", "--json"], { env }),
        yield* cli(["--log-level", "debug", "revoke", "act_abc"], { env }),
        yield* cli(["revoke", "--from-file", files.file("sentinel.txt", ["act_a", "act_b", "act_c"]), "--json"], {
          env
        })
      ]
      for (const run of runs) {
        expect(run.code).toBe(ExitCode.Authentication)
        expect(run.stderr).toContain("clerk_key_invalid")
        expect(run.stdout).toBe("")
        expect(run.stdout + run.stderr).not.toContain("SENTINEL")
      }
      expect(runs[0]!.stderr).toContain("DEBUG")
    }).pipe(Effect.provide(inMemory())))

  it.effect("with --json and debug logs, stdout still holds exactly one JSON document", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const id = yield* createPending()
      // A 503 first: the client logs the failed attempt at debug level, retries, and succeeds.
      yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "revoke" })
      const result = yield* onTestClock(cli(["--log-level", "debug", "revoke", id, "--json"], { env: envOf(emulator) }))
      expect(result.code).toBe(ExitCode.Ok)
      expect(result.stderr).toMatch(/DEBUG .*attempt 1 failed/)
      expectOneJsonLine(result.stdout)
      expect(decodeTokenJson(result.stdout)).toMatchObject({ id, status: "revoked" })
    }).pipe(Effect.provide(inMemory())))
})

describe("over HTTP", () => {
  it.live("--api-url reaches a server on loopback, falls back to CLERK_API_URL, and wins over it", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      const key = { CLERK_SECRET_KEY: Redacted.value(server.emulator.options.secretKey) }
      const create = ["create", "--user", "user_1", "--actor", "user_2", "--json"]
      const byFlag = yield* cli([...create, "--api-url", server.url], { env: key })
      const byEnv = yield* cli(create, { env: { ...key, CLERK_API_URL: server.url } })
      // Nothing listens on port 1: had CLERK_API_URL been used, this would fail with 8.
      const flagFirst = yield* cli([...create, "--api-url", server.url], {
        env: { ...key, CLERK_API_URL: "http://127.0.0.1:1" }
      })
      for (const run of [byFlag, byEnv, flagFirst]) {
        expect(run.code).toBe(ExitCode.Ok)
        expect(Option.isSome(yield* server.emulator.find(decodeTokenJson(run.stdout).id))).toBe(true)
      }
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("create --emulator --user user_1 --actor user_2 --json prints a token from the embedded emulator", () =>
    Effect.gen(function*() {
      // CLERK_API_URL is ignored with --emulator; --api-url is refused.
      const env = { CLERK_API_URL: "http://127.0.0.1:1" }
      const result = yield* cli(["create", "--emulator", "--user", "user_1", "--actor", "user_2", "--json"], { env })
      expect(result.code).toBe(ExitCode.Ok)
      expectOneJsonLine(result.stdout)
      const token = decodeTokenJson(result.stdout)
      expect(token).toMatchObject({ status: "pending", userId: "user_1", actor: { sub: "user_2" } })
      expect(Redacted.value(token.url!)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/tickets\/accept\?ticket=/)
      expect(result.stderr).toMatch(
        /^clerk-actor-tokens: --emulator: using the embedded Clerk emulator at http:\/\/127\.0\.0\.1:\d+ [^\n]*\n$/
      )
      // The emulator lived as long as the command.
      const url = /at (http:\/\/\S+) /.exec(result.stderr)![1]!
      const after = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/v1/actor_tokens`, { method: "POST" })))
      expect(after._tag).toBe("Left")

      const both = yield* cli(["revoke", "act_1", "--emulator", "--api-url", "http://127.0.0.1:1"])
      expect(both).toEqual({
        code: ExitCode.Usage,
        stdout: "",
        stderr: "clerk-actor-tokens: error: --emulator and --api-url cannot be used together\n"
      })
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
