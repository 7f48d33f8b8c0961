import { ClerkError, Impersonations } from "@effect-clerk/client"
import { ActorToken, Ids, type Session } from "@effect-clerk/schema"
import { Mock, TestClerk } from "@effect-clerk/test-kit"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { expectFields } from "./support.js"

const recorded = Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)

const session = (id: string, fields: Partial<ConstructorParameters<typeof Session.Session>[0]> = {}) =>
  Mock.sessionValue({ id: Ids.SessionId.make(id), ...fields })

const byAgent = session("sess_agent", { actor: { sub: "user_agent" } })
const byOther = session("sess_other", { actor: { sub: "user_other_agent" } })
const ownLogin = session("sess_own", { actor: null })

const token = (fields: Partial<ConstructorParameters<typeof ActorToken.ActorToken>[0]> = {}) =>
  new ActorToken.ActorToken({
    id: Ids.ActorTokenId.make("act_1"),
    status: "pending",
    userId: Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"),
    actor: { sub: "user_agent", ticket: "T-1" },
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...fields
  })

describe("Impersonations.active", () => {
  it.effect("keeps the user's active sessions that have an actor, asking for active ones only", () =>
    Effect.gen(function*() {
      const active = yield* Impersonations.active({ userId: "user_1" })
      expect(active.map((s) => s.id)).toEqual(["sess_agent", "sess_other"])
      const [request] = yield* recorded
      expect(request?.query).toMatchObject({ user_id: "user_1", status: "active", limit: "500", offset: "0" })
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([byAgent, ownLogin, byOther]) }))))

  it.effect("keeps only one impersonator's sessions when actor is given", () =>
    Effect.gen(function*() {
      const active = yield* Impersonations.active({ userId: "user_1", actor: "user_agent" })
      expect(active.map((s) => s.id)).toEqual(["sess_agent"])
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([byAgent, ownLogin, byOther]) }))))

  it.effect("looks across every page, not only the first", () =>
    Effect.gen(function*() {
      const active = yield* Impersonations.active({ userId: "user_1", actor: "user_agent" })
      expect(active.map((s) => s.id)).toEqual(["sess_agent"])
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count("listSessions"))).toBe(2)
    }).pipe(Effect.provide(Mock.layer({
      listSessions: [
        Mock.sessionList(Array.from({ length: 500 }, (_, i) => session(`sess_plain_${i}`, { actor: null }))),
        Mock.sessionList([byAgent])
      ]
    }))))

  it.effect("refuses an invalid user id with ClerkInvalidInput, sending nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Impersonations.active({ userId: "user_1/../x" }))
      expect(error._tag).toBe("ClerkInvalidInput")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))
})

describe("Impersonations.end", () => {
  it.effect("revokes each impersonated session, and says which ended, which had ended, which failed", () =>
    Effect.gen(function*() {
      const sessions = ["sess_a", "sess_b", "sess_c", "sess_d", "sess_e"].map((id) =>
        session(id, { actor: { sub: "user_agent" } })
      )
      const fiber = yield* Effect.fork(
        Impersonations.end({ userId: "user_1", concurrency: 1 }).pipe(
          Effect.provide(Mock.layer({
            listSessions: Mock.sessionList([...sessions, ownLogin]),
            revokeSession: [
              Mock.session({ id: Ids.SessionId.make("sess_a"), status: "revoked" }),
              Mock.clerkError(404, "resource_not_found", "not found"),
              Mock.clerkError(400, "session_not_active", "not active"),
              Mock.clerkError(403, "authorization_invalid", "no"),
              Mock.respond(503), // sess_e: retried,
              Mock.respond(503), // twice,
              Mock.session({ id: Ids.SessionId.make("sess_e"), status: "revoked" }) // then revoked
            ]
          }))
        )
      )
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      expect(result.ended.map((s) => [s.id, s.status])).toEqual([["sess_a", "revoked"], ["sess_e", "revoked"]])
      expect(result.alreadyEnded.map((s) => s.id)).toEqual(["sess_b", "sess_c"])
      expect(result.failed.map((f) => [f.session.id, f.error._tag])).toEqual([
        ["sess_d", "ClerkForbidden"]
      ])
    }))

  it.effect("a failure that outlasts the retries is reported, and the sessions after it are still revoked", () =>
    Effect.gen(function*() {
      const sessions = ["sess_a", "sess_b"].map((id) => session(id, { actor: { sub: "user_agent" } }))
      const fiber = yield* Effect.fork(
        Impersonations.end({ userId: "user_1", concurrency: 1 }).pipe(
          Effect.provide(Mock.layer({
            listSessions: Mock.sessionList(sessions),
            revokeSession: [
              Mock.respond(503),
              Mock.respond(503),
              Mock.respond(503),
              Mock.session({ id: Ids.SessionId.make("sess_b"), status: "revoked" })
            ]
          }))
        )
      )
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      expect(result.failed.map((f) => [f.session.id, f.error._tag])).toEqual([["sess_a", "ClerkServerError"]])
      expect(result.ended.map((s) => s.id)).toEqual(["sess_b"])
    }))

  it.effect("revokes at most `concurrency` sessions at once", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let most = 0
      const listed = Array.from({ length: 12 }, (_, i) => session(`sess_${i}`, { actor: { sub: "user_agent" } }))
      const stub = TestClerk.stub({
        sessions: {
          list: () => Effect.succeed({ data: listed }),
          revoke: (id) =>
            Effect.acquireUseRelease(
              Effect.sync(() => (inFlight++, most = Math.max(most, inFlight))),
              () => Effect.as(Effect.sleep("10 millis"), session(id, { status: "revoked" })),
              () => Effect.sync(() => inFlight--)
            )
        }
      })
      const fiber = yield* Effect.fork(
        Impersonations.end({ userId: "user_1", concurrency: 3 }).pipe(Effect.provide(stub))
      )
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      expect(result.ended).toHaveLength(12)
      expect(most).toBe(3)
    }))

  it.effect("a failed listing fails the call, and nothing is revoked", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Impersonations.end({ userId: "user_1" }))
      expectFields(error, { _tag: "ClerkUnauthorized" })
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count("revokeSession"))).toBe(0)
    }).pipe(Effect.provide(Mock.layer({
      listSessions: Mock.clerkError(401, "authentication_invalid", "bad key"),
      revokeSession: Mock.session({ status: "revoked" })
    }))))

  it.effect("refuses a concurrency below 1 with ClerkInvalidInput, sending nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Impersonations.end({ userId: "user_1", concurrency: 0 }))
      expect(error._tag).toBe("ClerkInvalidInput")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))
})

describe("Impersonations.stop", () => {
  it.effect("a pending token is revoked, and nothing else is sent", () =>
    Effect.gen(function*() {
      const result = yield* Impersonations.stop(token())
      assert(result._tag === "TokenRevoked", `expected TokenRevoked, got ${result._tag}`)
      expect(result.token.status).toBe("revoked")
      expect((yield* recorded).map((r) => r.route)).toEqual(["revoke"])
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.actorToken({ status: "revoked" }) }))))

  const started = session("sess_started", { actor: { sub: "user_agent", ticket: "T-1" }, createdAt: 1_700_000_005_000 })
  const withIss = session("sess_with_iss", {
    actor: { sub: "user_agent", ticket: "T-1", iss: "https://example.test" },
    createdAt: 1_700_000_000_000
  })
  const before = session("sess_before", { actor: { sub: "user_agent", ticket: "T-1" }, createdAt: 1_699_999_999_999 })
  const otherTicket = session("sess_other_ticket", { actor: { sub: "user_agent", ticket: "T-2" } })
  const listed = Mock.sessionList([started, withIss, before, otherTicket, ownLogin])

  it.effect("a token used since (the revoke answers 400 cannot be revoked) has its sessions ended instead", () =>
    Effect.gen(function*() {
      const result = yield* Impersonations.stop(token())
      assert(result._tag === "SessionsEnded", `expected SessionsEnded, got ${result._tag}`)
      expect(result.ended).toHaveLength(2)
      const requests = yield* recorded
      expect(requests.map((r) => r.route)).toEqual(["revoke", "listSessions", "revokeSession", "revokeSession"])
      expect(requests.slice(2).map((r) => r.path).sort()).toEqual([
        "/v1/sessions/sess_started/revoke",
        "/v1/sessions/sess_with_iss/revoke"
      ])
      expect(requests[1]?.query).toMatchObject({ user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", status: "active" })
    }).pipe(Effect.provide(Mock.layer({
      revoke: Mock.clerkError(
        400,
        "actor_token_cannot_be_revoked_code",
        "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
      ),
      listSessions: listed,
      revokeSession: Mock.session({ status: "revoked" })
    }))))

  it.effect("an accepted token goes straight to its sessions: no token revoke is sent", () =>
    Effect.gen(function*() {
      const result = yield* Impersonations.stop(token({ status: "accepted" }))
      expect(result._tag).toBe("SessionsEnded")
      expect((yield* recorded).map((r) => r.route)).toEqual(["listSessions", "revokeSession", "revokeSession"])
    }).pipe(Effect.provide(Mock.layer({ listSessions: listed, revokeSession: Mock.session({ status: "revoked" }) }))))

  it.effect("an accepted token whose sessions have all ended ends nothing, and says so", () =>
    Effect.gen(function*() {
      const result = yield* Impersonations.stop(token({ status: "accepted" }))
      expect(result).toMatchObject({ _tag: "SessionsEnded", ended: [], alreadyEnded: [], failed: [] })
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([ownLogin]) }))))

  it.effect("a revoked token: nothing to do, nothing sent", () =>
    Effect.gen(function*() {
      const result = yield* Impersonations.stop(token({ status: "revoked" }))
      expect(result._tag).toBe("AlreadyRevoked")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Mock.layer({}))))

  it.effect("an unknown token fails with ClerkNotFound, and no session is touched", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Impersonations.stop(token()))
      expect(error._tag).toBe("ClerkNotFound")
      expect((yield* recorded).map((r) => r.route)).toEqual(["revoke"])
    }).pipe(Effect.provide(Mock.layer({
      revoke: Mock.clerkError(404, "resource_not_found", "not found"),
      listSessions: listed
    }))))

  it.effect("another 400 on the token revoke is not taken for 'used': it fails", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Impersonations.stop(token()))
      expect(ClerkError.hasCode(error, "api_version_invalid")).toBe(true)
      expect((yield* recorded).map((r) => r.route)).toEqual(["revoke"])
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.clerkError(400, "api_version_invalid", "bad version") }))))
})
