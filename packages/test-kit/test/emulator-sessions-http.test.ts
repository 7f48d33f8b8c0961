// The session routes over HTTP, in memory: every query parameter of the list, both response shapes, Clerk's errors,
// and the checks, faults and rate limit every Backend API route meets.
import { type ClerkClient, type ClerkError, Sessions } from "@effect-clerk/client"
import { Session } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, Schema, TestClock } from "effect"
import { api, authed, decodeErrors, send, withClerk } from "./support.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const decodeList = Schema.decodeUnknownSync(Schema.parseJson(Session.SessionList))
const decodeSession = Schema.decodeUnknownSync(Schema.parseJson(Session.Session))

const emulator = Emulator.Emulator
const seed = (params: Emulator.SeedSessionParams) => Effect.flatMap(emulator, (e) => e.seedSession(params))
const list = (query: string) => send(HttpClientRequest.get(api(`/sessions?${query}`)).pipe(authed))
const get = (id: string) => send(HttpClientRequest.get(api(`/sessions/${id}`)).pipe(authed))
const revoke = (id: string) => send(HttpClientRequest.post(api(`/sessions/${id}/revoke`)).pipe(authed))
const ids = (text: string) => decodeList(text).data.map((s) => s.id)

// Three sessions of user_1 a minute apart (sess_a oldest), one of user_2 on client_2, one of user_1 revoked.
const seedFive = Effect.gen(function*() {
  yield* TestClock.setTime(may12)
  for (const [id, userId, clientId] of [["sess_a", "user_1"], ["sess_b", "user_1"], ["sess_c", "user_1", "client_2"]]) {
    yield* seed({ id: id!, userId: userId!, clientId: clientId ?? "client_1" })
    yield* TestClock.adjust("1 minute")
  }
  yield* seed({ id: "sess_d", userId: "user_2", clientId: "client_2" })
  yield* seed({ id: "sess_e", userId: "user_1", clientId: "client_1", status: "revoked", createdAt: may12 - 60_000 })
})

describe("GET /v1/sessions", () => {
  it.effect("a bare array by default and with paginated=false; { data, total_count } with paginated=true", () =>
    Effect.gen(function*() {
      yield* seedFive
      for (const query of ["user_id=user_1", "user_id=user_1&paginated=false", "user_id=user_1&paginated=0"]) {
        const bare = yield* list(query)
        expect(bare.status).toBe(200)
        expect(bare.headers["content-type"]).toBe("application/json")
        expect(Array.isArray(JSON.parse(bare.text)), query).toBe(true)
        expect(ids(bare.text)).toEqual(["sess_c", "sess_b", "sess_a", "sess_e"])
      }
      const paginated = yield* list("user_id=user_1&paginated=true&limit=2")
      const json = JSON.parse(paginated.text)
      expect(Object.keys(json).sort()).toEqual(["data", "total_count"])
      expect(json.total_count).toBe(4)
      expect(decodeList(paginated.text)).toEqual({ data: [expect.anything(), expect.anything()], totalCount: 4 })
      expect(ids(paginated.text)).toEqual(["sess_c", "sess_b"])
    }).pipe(withClerk()))

  it.effect("filters by user_id, client_id, both, and the status now", () =>
    Effect.gen(function*() {
      yield* seedFive
      expect(ids((yield* list("client_id=client_2")).text)).toEqual(["sess_d", "sess_c"])
      expect(ids((yield* list("user_id=user_1&client_id=client_2")).text)).toEqual(["sess_c"])
      expect(ids((yield* list("user_id=user_1&status=revoked")).text)).toEqual(["sess_e"])
      expect(ids((yield* list("user_id=user_1&status=active")).text)).toEqual(["sess_c", "sess_b", "sess_a"])
      expect(ids((yield* list("user_id=user_nobody")).text)).toEqual([])
      // Seeded sessions (the user's own) live 7 days: the status is read on the Clock.
      yield* TestClock.adjust(Duration.days(7))
      expect(ids((yield* list("user_id=user_1&status=active")).text)).toEqual([])
      expect(ids((yield* list("user_id=user_1&status=expired")).text)).toEqual(["sess_c", "sess_b", "sess_a"])
    }).pipe(withClerk()))

  it.effect("limit defaults to 10 and goes up to 500; offset skips; unknown parameters are ignored", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 12; i++) yield* seed({ userId: "user_1" })
      const all = ids((yield* list("user_id=user_1&limit=500")).text)
      expect(all).toHaveLength(12)
      expect(ids((yield* list("user_id=user_1")).text)).toEqual(all.slice(0, 10))
      expect(ids((yield* list("user_id=user_1&offset=10")).text)).toEqual(all.slice(10))
      expect(ids((yield* list("user_id=user_1&limit=3&offset=4")).text)).toEqual(all.slice(4, 7))
      expect(ids((yield* list("user_id=user_1&limit=1&limit=99&order_by=-created_at")).text)).toEqual(all.slice(0, 1))
    }).pipe(withClerk()))

  it.effect("encodes each session with the Session schema: Clerk's keys, nothing else", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      yield* seed({ userId: "user_1", actor: { sub: "user_support", reason: "ticket 9" } })
      const [json] = JSON.parse((yield* list("user_id=user_1")).text)
      expect(Object.keys(json).sort()).toEqual([
        "abandon_at",
        "actor",
        "client_id",
        "created_at",
        "expire_at",
        "id",
        "last_active_at",
        "last_active_organization_id",
        "latest_activity",
        "object",
        "status",
        "updated_at",
        "user_id"
      ])
      expect(json).toMatchObject({ object: "session", actor: { sub: "user_support", reason: "ticket 9" } })
      expect(json.id).toMatch(/^sess_[0-9A-Za-z]{27}$/)
      expect(json.client_id).toMatch(/^client_[0-9A-Za-z]{27}$/)
    }).pipe(withClerk()))

  const refused: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]> = [
    ["user_id=user_1&limit=0", [["form_param_value_invalid", "limit"]]],
    ["user_id=user_1&limit=501", [["form_param_value_invalid", "limit"]]],
    ["user_id=user_1&limit=ten", [["form_param_format_invalid", "limit"]]],
    ["user_id=user_1&limit=1.5", [["form_param_format_invalid", "limit"]]],
    ["user_id=user_1&offset=-1", [["form_param_value_invalid", "offset"]]],
    ["user_id=user_1&offset=", [["form_param_format_invalid", "offset"]]],
    ["user_id=user_1&status=pending", [["form_param_value_invalid", "status"]]],
    ["user_id=user_1&status=gone", [["form_param_value_invalid", "status"]]],
    ["user_id=user_1&paginated=yes", [["form_param_format_invalid", "paginated"]]],
    ["user_id=user%201", [["form_param_value_invalid", "user_id"]]],
    ["status=active", [["form_param_missing", "user_id or client_id"]]],
    ["", [["form_param_missing", "user_id or client_id"]]],
    ["user_id=user_1&limit=x&offset=y", [["form_param_format_invalid", "limit"], [
      "form_param_format_invalid",
      "offset"
    ]]],
    ["client_id=&limit=0&status=x", [
      ["form_param_value_invalid", "client_id"],
      ["form_param_value_invalid", "status"],
      ["form_param_value_invalid", "limit"]
    ]]
  ]

  it.effect.each(refused)("?%s: 422", ([query, expected]) =>
    Effect.gen(function*() {
      const response = yield* list(query)
      expect(response.status).toBe(422)
      const errors = decodeErrors(response.text).errors
      expect(errors.map((e) => [e.code, e.meta?.["param_name"]])).toEqual(expected)
    }).pipe(withClerk()))
})

describe("GET /v1/sessions/:session_id", () => {
  it.effect("answers the session, its status now; 404 resource_not_found for an unknown id", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const seeded = yield* seed({ userId: "user_1", actor: { sub: "user_support" } })
      const found = yield* get(seeded.id)
      expect(found.status).toBe(200)
      expect(decodeSession(found.text)).toEqual(seeded)
      yield* TestClock.adjust("10 minutes")
      expect(decodeSession((yield* get(seeded.id)).text).status).toBe("expired")
      for (const id of ["sess_unknown", "sess%2F1", "sess_1%3Fx%3D1"]) {
        const missing = yield* get(id)
        expect(missing.status, id).toBe(404)
        expect(decodeErrors(missing.text).errors.map((e) => e.code)).toEqual(["resource_not_found"])
      }
    }).pipe(withClerk()))
})

describe("POST /v1/sessions/:session_id/revoke", () => {
  it.effect("an active session: 200, revoked now; then 400 session_not_active; unknown: 404", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const seeded = yield* seed({ userId: "user_1" })
      yield* TestClock.adjust("1 second")
      const revoked = yield* revoke(seeded.id)
      expect(revoked.status).toBe(200)
      expect(decodeSession(revoked.text)).toMatchObject({ status: "revoked", updatedAt: may12 + 1000 })
      const stored = yield* Effect.flatMap(emulator, (e) => e.findSession(seeded.id))
      expect(Option.map(stored, (s) => s.status)).toEqual(Option.some("revoked"))

      const again = yield* revoke(seeded.id)
      expect(again.status).toBe(400)
      expect(decodeErrors(again.text).errors.map((e) => [e.code, e.longMessage])).toEqual([[
        "session_not_active",
        "Session cannot be revoked because its status is revoked. Only active or pending sessions can be revoked."
      ]])
      const unknown = yield* revoke("sess_unknown")
      expect(unknown.status).toBe(404)
      expect(decodeErrors(unknown.text).errors[0]?.code).toBe("resource_not_found")
    }).pipe(withClerk()))

  it.effect("an expired session: 400, and it stays expired", () =>
    Effect.gen(function*() {
      const seeded = yield* seed({ userId: "user_1", actor: { sub: "user_support" } })
      yield* TestClock.adjust("10 minutes")
      const refused = yield* revoke(seeded.id)
      expect(refused.status).toBe(400)
      expect(decodeErrors(refused.text).errors[0]?.longMessage).toContain("its status is expired")
      expect(decodeSession((yield* get(seeded.id)).text).status).toBe("expired")
    }).pipe(withClerk()))
})

describe("the checks every Backend API route meets", () => {
  it.effect("no key: 401 on each session route, counted per route", () =>
    Effect.gen(function*() {
      for (
        const request of [
          HttpClientRequest.get(api("/sessions?user_id=user_1")),
          HttpClientRequest.get(api("/sessions/sess_1")),
          HttpClientRequest.post(api("/sessions/sess_1/revoke"))
        ]
      ) {
        const response = yield* send(request)
        expect(response.status).toBe(401)
        expect(decodeErrors(response.text).errors[0]?.code).toBe("authentication_invalid")
      }
      yield* list("user_id=user_1")
      expect(yield* Effect.flatMap(emulator, (e) => e.requestCounts)).toEqual({
        create: 0,
        revoke: 0,
        listSessions: 2,
        getSession: 1,
        revokeSession: 1,
        createSessionToken: 0,
        getJwks: 0,
        accept: 0,
        wellKnownJwks: 0,
        unmatched: 0
      })
    }).pipe(withClerk()))

  it.effect("the rate limit counts the session routes, authenticated requests only", () =>
    Effect.gen(function*() {
      const seeded = yield* seed({ userId: "user_1" })
      yield* send(HttpClientRequest.get(api("/sessions?user_id=user_1")))
      expect((yield* list("user_id=user_1")).status).toBe(200)
      expect((yield* get(seeded.id)).status).toBe(200)
      const limited = yield* revoke(seeded.id)
      expect(limited.status).toBe(429)
      expect(limited.headers["retry-after"]).toBe("10")
      expect(decodeErrors(limited.text).errors[0]?.code).toBe("too_many_requests")
      // Refused before its operation: the session is still active, as the next window shows.
      yield* TestClock.adjust("10 seconds")
      expect(decodeSession((yield* get(seeded.id)).text).status).toBe("active")
    }).pipe(withClerk({ emulator: { rateLimit: { limit: 2 } } })))
})

describe("faults on the session routes", () => {
  const inject = (fault: Emulator.Fault, options?: Emulator.FaultOptions) =>
    Effect.flatMap(emulator, (e) => e.injectFault(fault, options))
  const noRetries = withClerk({ client: { maxRetries: 0 } })

  it.effect("a fault for one operation hits only it; \"any\" hits the session routes too", () =>
    Effect.gen(function*() {
      const seeded = yield* seed({ userId: "user_1" })
      yield* inject(Emulator.Fault.Status({ status: 503 }), { operation: "listSessions" })
      expect((yield* get(seeded.id)).status).toBe(200)
      expect((yield* list("user_id=user_1")).status).toBe(503)
      yield* inject(Emulator.Fault.HtmlPage({ status: 502 }), { times: 2 })
      expect((yield* get(seeded.id)).status).toBe(502)
      expect((yield* revoke(seeded.id)).status).toBe(502)
      // Replaced, not processed: still active.
      expect(decodeSession((yield* get(seeded.id)).text).status).toBe("active")
    }).pipe(withClerk()))

  it.effect("after processing: the session is revoked, the answer lost", () =>
    Effect.gen(function*() {
      const seeded = yield* seed({ userId: "user_1" })
      yield* inject(Emulator.Fault.ConnectionReset(), { operation: "revokeSession", afterProcessing: true })
      const error = yield* Effect.flip(Sessions.revoke(seeded.id))
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("ConnectionReset")
      const stored = yield* Effect.flatMap(emulator, (e) => e.findSession(seeded.id))
      expect(Option.map(stored, (s) => s.status)).toEqual(Option.some("revoked"))
    }).pipe(noRetries))

  it.effect("broken bodies are cut from what the operation answers: a session, a page of sessions", () =>
    Effect.gen(function*() {
      const seeded = yield* seed({ userId: "user_1" })
      yield* inject(Emulator.Fault.TruncatedJson(), { operation: "getSession" })
      const truncated = yield* get(seeded.id)
      expect(truncated.text.startsWith("{\"object\":\"session\"")).toBe(true)
      yield* inject(Emulator.Fault.TruncatedJson(), { operation: "getSession", afterProcessing: true })
      expect((yield* get(seeded.id)).text).toContain(seeded.id)
      yield* inject(Emulator.Fault.TruncatedJson(), { operation: "listSessions" })
      expect((yield* list("user_id=user_1")).text.startsWith("{\"data\":[{\"object\":\"session\"")).toBe(true)

      for (const operation of ["getSession", "listSessions", "revokeSession"] as const) {
        yield* inject(Emulator.Fault.WrongShape(), { operation })
        yield* inject(Emulator.Fault.TruncatedJson(), { operation })
      }
      const calls: ReadonlyArray<Effect.Effect<unknown, ClerkError.ClerkError, ClerkClient.ClerkClient>> = [
        Sessions.get(seeded.id),
        Sessions.list({ userId: "user_1" }),
        Sessions.revoke(seeded.id)
      ]
      for (const call of calls) {
        const wrongShape = yield* Effect.flip(call)
        assert(wrongShape._tag === "ClerkDecodeError")
        expect(wrongShape.reason).toBe("SchemaMismatch")
        const cut = yield* Effect.flip(call)
        assert(cut._tag === "ClerkDecodeError")
        expect(cut.reason).toBe("InvalidJson")
      }
      expect(decodeSession((yield* get(seeded.id)).text).status).toBe("active")
    }).pipe(noRetries))
})
