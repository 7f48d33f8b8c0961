// The sessions slice alone: start, seed, revoke, touch, the status at `now`, and the list. No HTTP, no Ref, no Clock.
import { Ids } from "@effect-clerk/schema"
import { assert, describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import * as Sessions from "../src/internal/emulator/sessions.js"
import * as Tokens from "../src/internal/emulator/tokens.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const minute = 60_000

const acceptedToken = (sessionMaxDurationInSeconds?: number) => {
  const [token] = Tokens.create(Tokens.empty, may12 - minute, {
    params: {
      userId: Ids.UserId.make("user_target"),
      actor: { sub: "user_support", reason: "ticket 7", nested: { level: 2 } },
      ...(sessionMaxDurationInSeconds === undefined ? {} : { sessionMaxDurationInSeconds })
    },
    id: "act_1",
    ticket: "ticket_1",
    baseUrl: "https://emulator.test"
  })
  return token
}

const started = (sessionMaxDurationInSeconds?: number) =>
  Sessions.start(Sessions.empty, may12, {
    token: acceptedToken(sessionMaxDurationInSeconds),
    sessionId: "sess_1",
    clientId: "client_1"
  })

const seedInput = (overrides: Partial<Sessions.SeedInput> = {}): Sessions.SeedInput => ({
  userId: Ids.UserId.make("user_target"),
  id: "sess_seeded",
  clientId: "client_seeded",
  ...overrides
})

describe("start", () => {
  it("an active session of the token's user, with its whole actor, stamped now", () => {
    const [session, sessions] = started()
    expect(sessions).toEqual([session])
    expect(session).toMatchObject({
      object: "session",
      id: "sess_1",
      clientId: "client_1",
      userId: "user_target",
      actor: { sub: "user_support", reason: "ticket 7", nested: { level: 2 } },
      status: "active",
      lastActiveAt: may12,
      createdAt: may12,
      updatedAt: may12,
      expireAt: may12 + 1800 * 1000,
      abandonAt: may12 + 30 * 24 * 60 * minute
    })
  })

  it("expires after the token's session_max_duration_in_seconds", () => {
    const [session] = started(90)
    expect(session.expireAt).toBe(may12 + 90_000)
  })
})

describe("the status at now", () => {
  it("an impersonation: active until 10 minutes without activity, then expired from that instant", () => {
    const [session] = started()
    expect(Sessions.at(session, may12 + 10 * minute - 1)).toBe(session)
    const idle = Sessions.at(session, may12 + 10 * minute)
    expect(idle.status).toBe("expired")
    expect(idle.updatedAt).toBe(may12 + 10 * minute)
    // Read later, it still says when it expired.
    expect(Sessions.at(session, may12 + 20 * minute).updatedAt).toBe(may12 + 10 * minute)
  })

  it("touched, it lives on, but never past expire_at", () => {
    let [, sessions] = started()
    for (let m = 9; m <= 27; m += 9) {
      const [touched, after] = Sessions.touch(sessions, may12 + m * minute, "sess_1")
      assert(Either.isRight(touched))
      expect(touched.right.lastActiveAt).toBe(may12 + m * minute)
      sessions = after
    }
    expect(Sessions.find(sessions, may12 + 30 * minute - 1, "sess_1").pipe(Option.map((s) => s.status)))
      .toEqual(Option.some("active"))
    const atMax = Sessions.find(sessions, may12 + 30 * minute, "sess_1")
    expect(atMax.pipe(Option.map((s) => [s.status, s.updatedAt]))).toEqual(
      Option.some(["expired", may12 + 30 * minute])
    )
  })

  it("a session the user started has no inactivity timeout; abandon_at ends it if it comes before expire_at", () => {
    const [seeded] = Sessions.seed(Sessions.empty, may12, seedInput({ abandonAt: may12 + 60 * minute }))
    assert(Either.isRight(seeded))
    expect(Sessions.at(seeded.right, may12 + 59 * minute).status).toBe("active")
    expect(Sessions.at(seeded.right, may12 + 60 * minute).status).toBe("abandoned")
  })

  it("a status other than active or pending stays as given", () => {
    const [seeded] = Sessions.seed(Sessions.empty, may12, seedInput({ status: "ended", expireAt: may12 }))
    assert(Either.isRight(seeded))
    expect(Sessions.at(seeded.right, may12 + 24 * 60 * minute).status).toBe("ended")
  })
})

describe("seed", () => {
  it("defaults: not an impersonation, active, created now, 7 days to expire, 30 to abandon", () => {
    const [seeded, sessions] = Sessions.seed(Sessions.empty, may12, seedInput())
    assert(Either.isRight(seeded))
    expect(sessions).toEqual([seeded.right])
    expect(seeded.right).toMatchObject({
      id: "sess_seeded",
      clientId: "client_seeded",
      actor: null,
      status: "active",
      createdAt: may12,
      lastActiveAt: may12,
      expireAt: may12 + 7 * 24 * 60 * minute,
      abandonAt: may12 + 30 * 24 * 60 * minute
    })
  })

  it("answers the seeded session at now: one seeded in the past may have expired already", () => {
    const [seeded] = Sessions.seed(Sessions.empty, may12, seedInput({ createdAt: may12 - 8 * 24 * 60 * minute }))
    assert(Either.isRight(seeded))
    expect(seeded.right.status).toBe("expired")
  })

  it("refuses an id in use, changing nothing", () => {
    const [, sessions] = started()
    const [refused, after] = Sessions.seed(sessions, may12, seedInput({ id: "sess_1" }))
    expect(refused).toEqual(Either.left({ _tag: "DuplicateId" }))
    expect(after).toBe(sessions)
  })

  it("checks the params: ids by the id rule, JSON claims, whole milliseconds, no other key", () => {
    expect(Either.isRight(Sessions.decodeSeedParams({ userId: "user_1", actor: { sub: "user_2" } }))).toBe(true)
    expect(Sessions.decodeSeedParams({ userId: "user 1" })).toEqual(
      Either.left("Invalid session seed \"userId\": UserId may contain only letters, digits, \"_\" and \"-\"")
    )
    expect(Either.isLeft(Sessions.decodeSeedParams({ userId: "user_1", createdAt: 1.5 }))).toBe(true)
    expect(Either.isLeft(Sessions.decodeSeedParams({ userId: "user_1", actor: { score: Number.NaN } }))).toBe(
      true
    )
    expect(Either.isLeft(Sessions.decodeSeedParams({ userId: "user_1", expires: 1 } as never))).toBe(true)
  })
})

describe("revoke", () => {
  it("an active session becomes revoked, stamped now; revoked, it stays revoked", () => {
    const [, sessions] = started()
    const [revoked, after] = Sessions.revoke(sessions, may12 + minute, "sess_1")
    assert(Either.isRight(revoked))
    expect([revoked.right.status, revoked.right.updatedAt]).toEqual(["revoked", may12 + minute])
    expect(after).toEqual([revoked.right])
    expect(Sessions.at(revoked.right, may12 + 60 * minute).status).toBe("revoked")
  })

  it("refuses a session no longer live (with its status now) and an unknown id, changing nothing", () => {
    const [, sessions] = started()
    const [expired, afterExpired] = Sessions.revoke(sessions, may12 + 10 * minute, "sess_1")
    expect(expired).toEqual(Either.left({ _tag: "NotActive", status: "expired" }))
    expect(afterExpired).toBe(sessions)
    const [, revoked] = Sessions.revoke(sessions, may12, "sess_1")
    expect(Sessions.revoke(revoked, may12, "sess_1")[0]).toEqual(Either.left({ _tag: "NotActive", status: "revoked" }))
    expect(Sessions.revoke(sessions, may12, "sess_unknown")).toEqual([Either.left({ _tag: "NotFound" }), sessions])
  })

  it("a pending session can be revoked too", () => {
    const [, sessions] = Sessions.seed(Sessions.empty, may12, seedInput({ status: "pending" }))
    expect(Sessions.revoke(sessions, may12, "sess_seeded")[0].pipe(Either.map((s) => s.status))).toEqual(
      Either.right("revoked")
    )
  })
})

describe("touch", () => {
  it("refuses a session that is not active now, and an unknown id", () => {
    const [, sessions] = started()
    expect(Sessions.touch(sessions, may12 + 10 * minute, "sess_1")).toEqual([
      Either.left({ _tag: "NotActive", status: "expired" }),
      sessions
    ])
    expect(Sessions.touch(sessions, may12, "sess_2")[0]).toEqual(Either.left({ _tag: "NotFound" }))
    expect(Sessions.rejection({ _tag: "NotActive", status: "expired" })).toEqual({
      reason: "NotActive",
      message: "The session is expired, not active."
    })
  })
})

describe("list", () => {
  // Sessions of two users on two clients, one started each minute (two at the same instant), and one seeded last
  // though it started first.
  const sessions = [0, 1, 2, 3, 4, 4, -1].reduce<Sessions.Sessions>((acc, m, i) => {
    const [, next] = Sessions.seed(
      acc,
      may12,
      seedInput({
        id: `sess_${i}`,
        userId: Ids.UserId.make(i % 2 === 0 ? "user_a" : "user_b"),
        clientId: i < 3 ? "client_x" : "client_y",
        createdAt: may12 + m * minute,
        status: i === 1 ? "revoked" : "active"
      })
    )
    return next
  }, Sessions.empty)
  const ids = (page: { readonly data: Sessions.Sessions }) => page.data.map((s) => s.id)
  const query = (q: Partial<Sessions.ListQuery>): Sessions.ListQuery => ({ limit: 10, offset: 0, ...q })
  const now = may12 + 5 * minute

  it("filters by user, by client, by both, newest first (the later of two at the same instant first)", () => {
    expect(ids(Sessions.list(sessions, now, query({ userId: "user_a" })))).toEqual([
      "sess_4",
      "sess_2",
      "sess_0",
      "sess_6"
    ])
    expect(ids(Sessions.list(sessions, now, query({ clientId: "client_y" })))).toEqual([
      "sess_5",
      "sess_4",
      "sess_3",
      "sess_6"
    ])
    expect(ids(Sessions.list(sessions, now, query({ userId: "user_b", clientId: "client_x" })))).toEqual(["sess_1"])
  })

  it("filters by the status at now", () => {
    expect(ids(Sessions.list(sessions, now, query({ userId: "user_b", status: "revoked" })))).toEqual(["sess_1"])
    expect(ids(Sessions.list(sessions, now, query({ userId: "user_b", status: "active" })))).toEqual([
      "sess_5",
      "sess_3"
    ])
    const later = may12 + 8 * 24 * 60 * minute
    expect(ids(Sessions.list(sessions, later, query({ userId: "user_a", status: "active" })))).toEqual([])
    expect(Sessions.list(sessions, later, query({ userId: "user_a", status: "expired" })).totalCount).toBe(4)
  })

  it("pages with limit and offset; totalCount counts every match", () => {
    const page = Sessions.list(sessions, now, query({ clientId: "client_x", limit: 2, offset: 1 }))
    expect([ids(page), page.totalCount]).toEqual([["sess_1", "sess_0"], 3])
    expect(Sessions.list(sessions, now, query({ userId: "user_a", offset: 4 }))).toEqual({ data: [], totalCount: 4 })
  })
})
