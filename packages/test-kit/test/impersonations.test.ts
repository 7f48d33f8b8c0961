// The whole impersonation through the real client over the emulator, on the TestClock: create → accept → active →
// end → gone; stop before and after the link was opened; the session's expiry; paging past 500 sessions.
import { ActorTokens, Impersonations, Sessions } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Redacted, Stream, TestClock } from "effect"
import { withClerk } from "./support.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const customer = "user_customer"
const support = "user_support"

const emulator = Emulator.Emulator
const sessions = Effect.flatMap(emulator, (e) => e.sessions)
const ids = (list: ReadonlyArray<{ readonly id: string }>) => list.map((s) => s.id)

/** Creates a token for the customer and accepts it as the emulator does when its url is opened. */
const impersonate = (actor: Record<string, unknown> = { sub: support }, sessionMaxDurationInSeconds?: number) =>
  Effect.gen(function*() {
    const token = yield* ActorTokens.create({
      userId: customer,
      actor: actor as { sub: string },
      ...(sessionMaxDurationInSeconds === undefined ? {} : { sessionMaxDurationInSeconds })
    })
    yield* Effect.flatMap(emulator, (e) => e.accept(token.id))
    const session = (yield* sessions).find((s) =>
      s.userId === customer && s.createdAt >= token.createdAt && s.actor?.["sub"] === actor["sub"]
    )
    assert(session !== undefined)
    return { token, session }
  })

describe("the lifecycle", () => {
  it.effect("create → accept → active shows it (not the user's own session) → end → gone, revoked", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const own = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: customer }))
      const other = yield* Effect.flatMap(
        emulator,
        (e) => e.seedSession({ userId: "user_someone_else", actor: { sub: support } })
      )
      const { session, token } = yield* impersonate({ sub: support, reason: "ticket 1234" })
      expect(session).toMatchObject({
        userId: customer,
        actor: { sub: support, reason: "ticket 1234" },
        status: "active",
        createdAt: token.createdAt,
        expireAt: may12 + 1800 * 1000
      })

      const active = yield* Impersonations.active({ userId: customer })
      expect(active).toEqual([session])
      expect(yield* Impersonations.active({ userId: customer, actor: "user_another_agent" })).toEqual([])

      const result = yield* Impersonations.end({ userId: customer, actor: support })
      expect(ids(result.ended)).toEqual([session.id])
      expect(result.ended[0]?.status).toBe("revoked")
      expect([result.alreadyEnded, result.failed]).toEqual([[], []])

      expect(yield* Impersonations.active({ userId: customer })).toEqual([])
      expect((yield* Sessions.get(session.id)).status).toBe("revoked")
      // Only the impersonation was touched.
      expect((yield* Sessions.get(own.id)).status).toBe("active")
      expect((yield* Sessions.get(other.id)).status).toBe("active")
    }).pipe(withClerk()))

  it.effect("opening the url with the in-memory HttpClient starts the same session", () =>
    Effect.gen(function*() {
      const token = yield* ActorTokens.create({ userId: customer, actor: { sub: support } })
      assert(token.url != null)
      const page = yield* TestClerk.httpClient(yield* emulator).get(Redacted.value(token.url))
      expect(page.status).toBe(200)
      const [session] = yield* Impersonations.active({ userId: customer })
      expect(session?.actor).toEqual({ sub: support })
      expect(session?.id).toMatch(/^sess_[0-9A-Za-z]{27}$/)
      expect(session?.clientId).toMatch(/^client_[0-9A-Za-z]{27}$/)
    }).pipe(withClerk()))
})

describe("stop", () => {
  it.effect("a pending token: TokenRevoked, and no session can start from it", () =>
    Effect.gen(function*() {
      const token = yield* ActorTokens.create({ userId: customer, actor: { sub: support } })
      const result = yield* Impersonations.stop(token)
      assert(result._tag === "TokenRevoked")
      expect(result.token.status).toBe("revoked")
      expect((yield* Effect.flip(Effect.flatMap(emulator, (e) => e.accept(token.id)))).reason).toBe("Revoked")
      expect(yield* sessions).toEqual([])
    }).pipe(withClerk()))

  it.effect("an accepted token (the caller's copy still says pending): SessionsEnded with its session only", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      // The same impersonator, a minute before the token: not its session, though active.
      const earlier = yield* Effect.flatMap(
        emulator,
        (e) =>
          e.seedSession({
            userId: customer,
            actor: { sub: support },
            createdAt: may12 - 60_000,
            lastActiveAt: may12
          })
      )
      yield* TestClock.adjust("1 second")
      const { session: colleague } = yield* impersonate({ sub: "user_colleague" })
      const { session, token } = yield* impersonate()
      expect(token.status).toBe("pending")

      const result = yield* Impersonations.stop(token)
      assert(result._tag === "SessionsEnded")
      expect(ids(result.ended)).toEqual([session.id])
      expect(result.failed).toEqual([])
      expect((yield* Sessions.get(session.id)).status).toBe("revoked")
      expect((yield* Sessions.get(earlier.id)).status).toBe("active")
      expect((yield* Sessions.get(colleague.id)).status).toBe("active")
      expect(yield* Effect.flatMap(emulator, (e) => e.requestCount("revoke"))).toBe(1)
    }).pipe(withClerk()))
})

describe("stop, with a copy that says accepted", () => {
  it.effect("ends the session without trying to revoke the token", () =>
    Effect.gen(function*() {
      const { session, token } = yield* impersonate()
      const result = yield* Impersonations.stop(ActorToken.ActorToken.make({ ...token, status: "accepted" }))
      assert(result._tag === "SessionsEnded")
      expect(ids(result.ended)).toEqual([session.id])
      expect(yield* Effect.flatMap(emulator, (e) => e.requestCount("revoke"))).toBe(0)
      expect(yield* Impersonations.active({ userId: customer })).toEqual([])
    }).pipe(withClerk()))
})

describe("expiry on the TestClock", () => {
  it.effect("10 minutes without activity end it; touching keeps it alive", () =>
    Effect.gen(function*() {
      const { session: idle } = yield* impersonate()
      const { session: busy } = yield* impersonate({ sub: "user_busy" })
      yield* TestClock.adjust("9 minutes")
      yield* Effect.flatMap(emulator, (e) => e.touchSession(busy.id))
      yield* TestClock.adjust("59 seconds")
      expect(ids(yield* Impersonations.active({ userId: customer }))).toEqual([busy.id, idle.id])
      yield* TestClock.adjust("1 second")
      expect(ids(yield* Impersonations.active({ userId: customer }))).toEqual([busy.id])
      expect((yield* Sessions.get(idle.id)).status).toBe("expired")
      const refused = yield* Effect.flip(Effect.flatMap(emulator, (e) => e.touchSession(idle.id)))
      expect([refused.reason, refused.message]).toEqual(["NotActive", "The session is expired, not active."])
    }).pipe(withClerk()))

  it.effect("never past session_max_duration_in_seconds (1800 by default, or the token's), however busy", () =>
    Effect.gen(function*() {
      const { session: byDefault } = yield* impersonate()
      const { session: short } = yield* impersonate({ sub: "user_short" }, 300)
      const touchBoth = Effect.flatMap(
        emulator,
        (e) => Effect.all([e.touchSession(byDefault.id), Effect.either(e.touchSession(short.id))])
      )
      yield* TestClock.adjust("299 seconds")
      expect(ids(yield* Impersonations.active({ userId: customer }))).toEqual([short.id, byDefault.id])
      yield* TestClock.adjust("1 second")
      expect(ids(yield* Impersonations.active({ userId: customer }))).toEqual([byDefault.id])
      for (let elapsed = 300; elapsed < 1800; elapsed += 300) {
        yield* touchBoth
        yield* TestClock.adjust("5 minutes")
      }
      expect(yield* Impersonations.active({ userId: customer })).toEqual([])
      expect((yield* Sessions.get(byDefault.id)).status).toBe("expired")
      // Expired: ending it finds nothing to do.
      expect(yield* Impersonations.end({ userId: customer })).toEqual({ ended: [], alreadyEnded: [], failed: [] })
    }).pipe(withClerk()))
})

describe("paging", () => {
  it.effect("Sessions.stream reads past 500 sessions, 500 a page, each once, newest first", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const e = yield* emulator
      for (let i = 0; i < 1203; i++) yield* e.seedSession({ userId: customer, createdAt: may12 + i })
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(Sessions.stream({ userId: customer })))
      expect(all).toHaveLength(1203)
      expect(new Set(ids(all)).size).toBe(1203)
      expect(all.map((s) => s.createdAt)).toEqual(Array.from({ length: 1203 }, (_, i) => may12 + 1202 - i))
      expect(yield* e.requestCount("listSessions")).toBe(3)
    }).pipe(withClerk()))

  it.effect("Impersonations.active finds impersonations beyond the first page", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const { session } = yield* impersonate()
      const e = yield* emulator
      for (let i = 1; i <= 600; i++) yield* e.seedSession({ userId: customer, createdAt: may12 + i })
      expect(ids(yield* Impersonations.active({ userId: customer }))).toEqual([session.id])
      expect(yield* e.requestCount("listSessions")).toBe(2)
    }).pipe(withClerk()))
})
