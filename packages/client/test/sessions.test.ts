import { type ClerkClient, type ClerkError, Sessions } from "@effect-clerk/client"
import { Ids } from "@effect-clerk/schema"
import { Mock } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import { everyStatus, expectFields, retriedReplies } from "./support.js"

const recorded = Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)

const sessions = (count: number, prefix = "sess_") =>
  Array.from({ length: count }, (_, i) => Mock.sessionValue({ id: Ids.SessionId.make(`${prefix}${i}`) }))

describe("Sessions.list", () => {
  it.effect("sends GET /v1/sessions with the query in Clerk's names and paginated=true", () =>
    Effect.gen(function*() {
      const page = yield* Sessions.list({ userId: "user_1", status: "active", limit: 50, offset: 100 })
      expect(page.totalCount).toBe(1)
      expect(page.data.map((s) => s.id)).toEqual(["sess_2EL6mQKzeUtoRwGuLZsznyfkIsH"])
      const requests = yield* recorded
      expect(requests).toHaveLength(1)
      expect(requests[0]).toMatchObject({
        method: "GET",
        path: "/v1/sessions",
        route: "listSessions",
        query: { user_id: "user_1", status: "active", limit: "50", offset: "100", paginated: "true" }
      })
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([Mock.sessionValue()], { totalCount: 1 }) }))))

  it.effect("sends only what was given, by client id alone too", () =>
    Effect.gen(function*() {
      yield* Sessions.list({ clientId: "client_1", userId: undefined })
      const [request] = yield* recorded
      expect(request?.query).toEqual({ client_id: "client_1", paginated: "true" })
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))

  it.effect("decodes the bare array too (a server that ignores paginated), with no total", () =>
    Effect.gen(function*() {
      const page = yield* Sessions.list({ userId: "user_1" })
      expect(page.data).toHaveLength(3)
      expect(page.totalCount).toBeUndefined()
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList(sessions(3)) }))))

  const refused: ReadonlyArray<readonly [string, Sessions.ListParams]> = [
    ["neither userId nor clientId", { status: "active" }],
    ["a limit of 0", { userId: "user_1", limit: 0 }],
    ["a limit of 501", { userId: "user_1", limit: 501 }],
    ["a fractional limit", { userId: "user_1", limit: 1.5 }],
    ["a negative offset", { userId: "user_1", offset: -10 }],
    ["a user id that would change the query", { userId: "user_1&status=revoked" }],
    ["a client id with a slash", { clientId: "../client_1" }],
    ["a status the list cannot filter by", { userId: "user_1", status: "pending" as never }],
    ["an unknown parameter", { userId: "user_1", paginated: false } as never]
  ]
  for (const [name, params] of refused) {
    it.effect(`refuses ${name} with ClerkInvalidInput, sending nothing`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Sessions.list(params))
        expect(error._tag).toBe("ClerkInvalidInput")
        expect(yield* recorded).toEqual([])
      }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))
  }

  it.effect("refuses input that is not an object at all", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Sessions.list(null as never))
      expect(error._tag).toBe("ClerkInvalidInput")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))
})

describe("Sessions.get and Sessions.revoke", () => {
  it.effect("get is GET /v1/sessions/{id}", () =>
    Effect.gen(function*() {
      const session = yield* Sessions.get("sess_abc")
      expect(session.status).toBe("active")
      expect(yield* recorded).toMatchObject([{ method: "GET", path: "/v1/sessions/sess_abc", route: "getSession" }])
    }).pipe(Effect.provide(Mock.layer({ getSession: Mock.session() }))))

  it.effect("revoke is POST /v1/sessions/{id}/revoke with no body, answering the revoked session", () =>
    Effect.gen(function*() {
      const session = yield* Sessions.revoke("sess_abc")
      expect(session.status).toBe("revoked")
      const [request] = yield* recorded
      expect(request).toMatchObject({ method: "POST", path: "/v1/sessions/sess_abc/revoke", route: "revokeSession" })
      expect(request?.body).toBeUndefined()
    }).pipe(Effect.provide(Mock.layer({ revokeSession: Mock.session({ status: "revoked" }) }))))

  const byId: ReadonlyArray<
    readonly [string, (id: string) => Effect.Effect<unknown, ClerkError.ClerkError, ClerkClient.ClerkClient>]
  > = [["get", Sessions.get], ["revoke", Sessions.revoke]]
  for (const [name, run] of byId) {
    for (const id of ["", "sess_1/revoke", "sess_1?x=1", "sess_1#x", "..", "%2e%2e", "sess é", "a".repeat(129)]) {
      it.effect(`${name} refuses the id ${JSON.stringify(id.slice(0, 20))} with ClerkInvalidInput, sending nothing`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(run(id))
          expect(error._tag).toBe("ClerkInvalidInput")
          expect(yield* recorded).toEqual([])
        }).pipe(Effect.provide(Mock.layer({ getSession: Mock.session(), revokeSession: Mock.session() }))))
    }
  }

  for (const [name, reply] of retriedReplies) {
    it.effect(`revoke is safe to repeat: retried after ${name}`, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Sessions.revoke("sess_abc"))
        yield* TestClock.adjust("1 minute")
        const session = yield* Fiber.join(fiber)
        expect(session.status).toBe("revoked")
        expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count("revokeSession"))).toBe(2)
      }).pipe(Effect.provide(Mock.layer(
        { revokeSession: [reply, Mock.session({ status: "revoked" })] },
        { timeout: "5 seconds" }
      ))))
  }

  it.effect("list and get are retried after a 5xx as well", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.zip(Sessions.list({ userId: "user_1" }), Sessions.get("sess_abc")))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const recorder = yield* Mock.MockRecorder
      expect(yield* recorder.count("listSessions")).toBe(2)
      expect(yield* recorder.count("getSession")).toBe(2)
    }).pipe(Effect.provide(Mock.layer({
      listSessions: [Mock.respond(502), Mock.sessionList([])],
      getSession: [Mock.respond(500), Mock.session()]
    }))))
})

describe("every status, for every session operation", () =>
  everyStatus([
    ["list", "listSessions", Sessions.list({ userId: "user_1" })],
    ["get", "getSession", Sessions.get("sess_1")],
    ["revoke", "revokeSession", Sessions.revoke("sess_1")]
  ], { sessions: "nope" }))

describe("Sessions.stream", () => {
  it.effect("reads every page, 500 at a time, and stops on the short one: three pages", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(Sessions.stream({ userId: "user_1", status: "active" }))
      expect(Chunk.size(all)).toBe(1003)
      expect(new Set(Chunk.toArray(all).map((s) => s.id)).size).toBe(1003)
      const requests = yield* recorded
      expect(requests.map((r) => [r.query["limit"], r.query["offset"], r.query["status"]])).toEqual([
        ["500", "0", "active"],
        ["500", "500", "active"],
        ["500", "1000", "active"]
      ])
    }).pipe(Effect.provide(Mock.layer({
      listSessions: [
        Mock.sessionList(sessions(500, "sess_a")),
        Mock.sessionList(sessions(500, "sess_b")),
        Mock.sessionList(sessions(3, "sess_c"))
      ]
    }))))

  it.effect("stops when the server's total is reached, without asking for an empty page", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(Sessions.stream({ userId: "user_1" }))
      expect(Chunk.size(all)).toBe(1000)
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count())).toBe(2)
    }).pipe(Effect.provide(Mock.layer({
      listSessions: [
        Mock.sessionList(sessions(500, "sess_a"), { totalCount: 1000 }),
        Mock.sessionList(sessions(500, "sess_b"), { totalCount: 1000 }),
        Mock.respond(500)
      ]
    }))))

  it.effect("asks for the next page only when pulled", () =>
    Effect.gen(function*() {
      const first = yield* Stream.runCollect(Stream.take(Sessions.stream({ userId: "user_1" }), 10))
      expect(Chunk.size(first)).toBe(10)
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count())).toBe(1)
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList(sessions(500)) }))))

  it.effect("does not emit a session twice when the pages shift, and stops if a full page brings nothing new", () =>
    Effect.gen(function*() {
      // A server that ignores `offset`: the same full page forever.
      const all = yield* Stream.runCollect(Sessions.stream({ userId: "user_1" }))
      expect(Chunk.size(all)).toBe(500)
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count())).toBe(2)
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList(sessions(500)) }))))

  it.effect("fails with the typed error of the page that failed, after the sessions before it", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const error = yield* Sessions.stream({ userId: "user_1" }).pipe(
        Stream.runForEach((s) => Effect.sync(() => seen.push(s.id))),
        Effect.flip
      )
      expectFields(error, { _tag: "ClerkForbidden", status: 403 })
      expect(seen).toHaveLength(500)
    }).pipe(Effect.provide(Mock.layer({
      listSessions: [Mock.sessionList(sessions(500)), Mock.clerkError(403, "authorization_invalid", "no")]
    }))))

  it.effect("refuses a query without userId or clientId with ClerkInvalidInput, sending nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(Sessions.stream({ status: "active" })))
      expect(error._tag).toBe("ClerkInvalidInput")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(Mock.layer({ listSessions: Mock.sessionList([]) }))))
})
