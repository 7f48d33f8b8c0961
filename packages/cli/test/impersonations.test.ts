import { Ids, Session } from "@effect-clerk/schema"
import { Emulator } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { ExitCode } from "../src/ExitCode.js"
import { cli, createPending, envOf, inMemory, onTestClock } from "./utils/harness.js"

const decodeSessionsJson = Schema.decodeUnknownSync(Schema.parseJson(Schema.Array(Session.Session)))

/** A token accepted by the impersonator: the user now has an impersonated session. */
const impersonate = (userId: string) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const id = yield* createPending(userId)
    yield* Effect.orDie(emulator.accept(id))
    return id
  })

describe("sessions", () => {
  it.effect("lists the user's active impersonations, not their own sessions, in columns or as one JSON array", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      yield* impersonate("user_customer")
      yield* impersonate("user_customer")
      yield* impersonate("user_someone_else")
      yield* emulator.seedSession({ userId: Ids.UserId.make("user_customer"), actor: null })

      const human = yield* cli(["sessions", "--user", "user_customer"], { env })
      expect(human.code).toBe(ExitCode.Ok)
      expect(human.stderr).toBe("")
      const lines = human.stdout.trimEnd().split("\n")
      expect(lines[0]).toMatch(/^session +actor +started +last active +expires$/)
      expect(lines.slice(1)).toHaveLength(2)
      for (const line of lines.slice(1)) expect(line).toMatch(/^sess_\w+ +user_support +\d{4}-\d\d-\d\dT/)

      const json = yield* cli(["sessions", "--user", "user_customer", "--json"], { env })
      expect(json.code).toBe(ExitCode.Ok)
      expect(json.stdout.slice(0, -1)).not.toContain("\n")
      const sessions = decodeSessionsJson(json.stdout)
      expect(sessions).toHaveLength(2)
      expect(sessions.every((s) => s.userId === "user_customer" && s.actor?.["sub"] === "user_support")).toBe(true)

      const none = yield* cli(["sessions", "--user", "user_customer", "--actor", "user_nobody"], { env })
      expect(none).toMatchObject({ code: ExitCode.Ok, stdout: "no active impersonation of user_customer\n" })
    }).pipe(Effect.provide(inMemory())))

  it.effect("an invalid --user gives 2 and sends nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const result = yield* cli(["sessions", "--user", "user_1/../x"], { env: envOf(emulator) })
      expect(result.code).toBe(ExitCode.Usage)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: .*--user/)
      expect(yield* emulator.requestCount("listSessions")).toBe(0)
    }).pipe(Effect.provide(inMemory())))
})

describe("end", () => {
  it.effect("ends every active impersonation of the user and prints the summary; they are gone afterwards", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      yield* impersonate("user_customer")
      yield* impersonate("user_customer")
      const own = yield* emulator.seedSession({ userId: Ids.UserId.make("user_customer"), actor: null })

      const ended = yield* cli(["end", "--user", "user_customer"], { env })
      expect(ended.code).toBe(ExitCode.Ok)
      expect(ended.stdout).toBe("ended          2\nalready ended  0\nfailed         0\n")
      const after = yield* cli(["sessions", "--user", "user_customer", "--json"], { env })
      expect(decodeSessionsJson(after.stdout)).toEqual([])
      const sessions = yield* emulator.sessions
      expect(sessions.find((s) => s.id === own.id)?.status).toBe("active")
    }).pipe(Effect.provide(inMemory())))

  it.effect("--json prints one summary document; a failure gives exit 1 and is listed with its error", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      yield* impersonate("user_customer")
      yield* impersonate("user_customer")
      yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "revokeSession", times: 6 })

      // The first session's revoke answers 503 six times (the first try and its five retries), on the TestClock.
      const result = yield* onTestClock(
        cli(["end", "--user", "user_customer", "--json", "--concurrency", "1"], { env })
      )
      expect(result.code).toBe(ExitCode.BulkIncomplete)
      const summary = JSON.parse(result.stdout) as {
        ended: Array<string>
        already_ended: Array<string>
        failed: Array<{ id: string; error: { tag: string; http_status: number } }>
      }
      expect(summary.ended).toHaveLength(1)
      expect(summary.already_ended).toEqual([])
      expect(summary.failed).toHaveLength(1)
      expect(summary.failed[0]?.error).toMatchObject({ tag: "ClerkServerError", http_status: 503 })
      expect(result.stderr).toMatch(/clerk-actor-tokens: error: 1 of 2 id\(s\) could not be revoked/)
    }).pipe(Effect.provide(inMemory())))

  it.effect("--actor ends only that impersonator's sessions", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const env = envOf(emulator)
      yield* impersonate("user_customer")
      const result = yield* cli(["end", "--user", "user_customer", "--actor", "user_somebody_else"], { env })
      expect(result.code).toBe(ExitCode.Ok)
      expect(result.stdout).toMatch(/^ended +0$/m)
      const active = yield* cli(["sessions", "--user", "user_customer", "--json"], { env })
      expect(decodeSessionsJson(active.stdout)).toHaveLength(1)
    }).pipe(Effect.provide(inMemory())))
})
