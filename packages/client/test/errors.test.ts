import { ActorTokens, ClerkError } from "@effect-clerk/client"
import { Mock } from "@effect-clerk/test-kit"
import { assert, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, TestClock } from "effect"
import { expectFields } from "./support.js"

const revokeWith = (reply: Mock.Reply) =>
  ActorTokens.revoke("act_123").pipe(
    Effect.flip,
    Effect.provide(Mock.layer({ revoke: reply }, { maxRetries: 0 }))
  )

describe("status mapping", () => {
  const rows = [
    [400, "ClerkBadRequest", "actor_token_cannot_be_revoked_code"],
    [401, "ClerkUnauthorized", "authentication_invalid"],
    [402, "ClerkPaymentRequired", "unsupported_subscription_plan_features"],
    [403, "ClerkForbidden", "authorization_invalid"],
    [404, "ClerkNotFound", "resource_not_found"],
    [422, "ClerkUnprocessableEntity", "impersonation_limit_exceeded"],
    [429, "ClerkRateLimited", "too_many_requests"],
    [500, "ClerkServerError", "internal_clerk_error"],
    [502, "ClerkServerError", "bad_gateway"],
    [503, "ClerkServerError", "service_unavailable"],
    [504, "ClerkServerError", "gateway_timeout"],
    [409, "ClerkUnexpectedStatus", "conflict"],
    [415, "ClerkUnexpectedStatus", "unsupported_content_type"],
    [302, "ClerkUnexpectedStatus", "moved"]
  ] as const

  for (const [status, tag, code] of rows) {
    it.effect(`${status} → ${tag} with Clerk's entries, trace id and long_message`, () =>
      Effect.gen(function*() {
        const error = yield* revokeWith(
          Mock.clerkError(status, code, `Long message for ${code}.`, { clerkTraceId: "trace_abc" })
        )
        expect(error._tag).toBe(tag)
        assert(ClerkError.isClerkStatusError(error), `unexpected ${error._tag}`)
        expect(error.status).toBe(status)
        expect(error.errors).toEqual([{
          code,
          message: code.replace(/_/g, " "),
          longMessage: `Long message for ${code}.`
        }])
        expect(error.clerkTraceId).toBe("trace_abc")
        expect(error.message).toBe(`Long message for ${code}.`)
      }))
  }

  it.effect("the message falls back to `message` when long_message is missing", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(
        Mock.respond(404, { errors: [{ code: "resource_not_found", message: "not found" }] })
      )
      expect(error._tag).toBe("ClerkNotFound")
      expect(error.message).toBe("not found")
    }))

  it.effect("an HTML error page gives a status error with no entries and a readable message", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(
        Mock.respond(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", {
          headers: { "content-type": "text/html" }
        })
      )
      expectFields(error, { _tag: "ClerkServerError", status: 502, errors: [] })
      expect(error.message).toBe("Clerk answered 502 Bad Gateway")
      expect("clerkTraceId" in error).toBe(false)
    }))

  it.effect("an empty error body still maps by status", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(Mock.respond(401))
      expectFields(error, { _tag: "ClerkUnauthorized", status: 401, errors: [] })
    }))

  it.effect("429 carries Retry-After in seconds", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(
        Mock.clerkError(429, "too_many_requests", "Too many requests", { headers: { "retry-after": "7" } })
      )
      assert(error._tag === "ClerkRateLimited", error._tag)
      expect(Option.map(Option.fromNullable(error.retryAfter), Duration.toMillis)).toEqual(Option.some(7000))
    }))

  it.effect("429 carries Retry-After given as an HTTP date, relative to the Clock", () =>
    Effect.gen(function*() {
      // The Clock at a realistic time, far from the epoch (where the TestClock starts) and from the machine's time:
      // a date 30 s after it is a 30 s wait only when read against the Clock.
      const now = Date.parse("2030-01-15T12:00:00Z")
      yield* TestClock.setTime(now)
      const error = yield* revokeWith(
        Mock.clerkError(429, "too_many_requests", "Too many requests", {
          headers: { "retry-after": new Date(now + 30_000).toUTCString() }
        })
      )
      assert(error._tag === "ClerkRateLimited", error._tag)
      expect(error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(30_000)
    }))

  it.effect("429 with an unreadable Retry-After has no retryAfter", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(Mock.respond(429, undefined, { headers: { "retry-after": "soon" } }))
      assert(error._tag === "ClerkRateLimited", error._tag)
      expect(error.retryAfter).toBeUndefined()
    }))
})

describe("success bodies", () => {
  it.effect("a 200 decodes to an ActorToken, extra fields ignored, credentials redacted", () =>
    Effect.gen(function*() {
      const reply = Mock.actorToken({ status: "revoked" })
      const body = { ...(reply as { body: Record<string, unknown> }).body, brand_new_field: { x: 1 } }
      const token = yield* ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH").pipe(
        Effect.provide(Mock.layer({ revoke: Mock.respond(200, body) }))
      )
      expect(token.id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
      expect(token.status).toBe("revoked")
      expect(token.userId).toBe("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb")
      expect(token.actor).toEqual({ sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rc" })
      expect(String(token.token)).toBe("<redacted>")
      expect(JSON.stringify(token)).not.toContain("mock_ticket_token")
    }))

  const decodeCases = [
    ["invalid JSON", Mock.respond(200, "{\"id\": \"act_1\", \"sta"), "InvalidJson"],
    ["an empty body", Mock.respond(200), "InvalidJson"],
    ["an HTML page", Mock.respond(200, "<html>ok</html>"), "InvalidJson"],
    [
      "wrong-shaped JSON",
      Mock.respond(200, { id: 5, status: "expired", token: "secret_ticket_value" }),
      "SchemaMismatch"
    ],
    ["a JSON array", Mock.respond(200, [1, 2]), "SchemaMismatch"],
    ["a body over 1 MiB", Mock.respond(200, "x".repeat(1024 * 1024 + 1)), "BodyTooLarge"]
  ] as const

  for (const [name, reply, reason] of decodeCases) {
    it.effect(`${name} → ClerkDecodeError(${reason}), not retried`, () =>
      Effect.gen(function*() {
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip)
        expectFields(error, { _tag: "ClerkDecodeError", status: 200, reason })
        const recorder = yield* Mock.MockRecorder
        expect(yield* recorder.count("revoke")).toBe(1)
      }).pipe(Effect.provide(Mock.layer({ revoke: reply }))))
  }

  it.effect("a mismatch names the paths, never the values", () =>
    Effect.gen(function*() {
      const error = yield* revokeWith(Mock.respond(200, { id: 5, status: "expired", token: 42, url: "secret_url" }))
      expect(error._tag).toBe("ClerkDecodeError")
      expect(error.message).toContain("status")
      expect(error.message).not.toContain("secret_url")
      expect(error.message).not.toContain("expired")
    }))
})

describe("transport failures", () => {
  const cases = [
    ["ECONNREFUSED", "ConnectionRefused"],
    ["ENOTFOUND", "DnsLookupFailed"],
    ["EAI_AGAIN", "DnsLookupFailed"],
    ["ECONNRESET", "ConnectionReset"],
    ["UND_ERR_SOCKET", "ConnectionReset"],
    ["EWHATEVER", "Unknown"]
  ] as const
  for (const [code, reason] of cases) {
    it.effect(`${code} → ClerkTransportError(${reason})`, () =>
      Effect.gen(function*() {
        const error = yield* revokeWith(Mock.fail(code))
        expectFields(error, { _tag: "ClerkTransportError", reason })
        expect(error.message).toContain(code)
      }))
  }
})
