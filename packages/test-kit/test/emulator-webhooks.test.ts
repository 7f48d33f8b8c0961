// Which session changes emit which webhook events: the pure observation alone, then the in-memory emulator's record
// of them (no endpoint, no HTTP delivery), on the TestClock.
import { Ids, Session, WebhookEvent } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Redacted, Schema, TestClock } from "effect"
import * as Sessions from "../src/internal/emulator/sessions.js"
import * as Webhooks from "../src/internal/emulator/webhooks.js"
import { api, authed, send, withClerk } from "./support.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const minute = 60_000

const context: Webhooks.Context = {
  instanceId: "ins_test",
  idPrefix: "0000000000000000000",
  endpoints: ["http://127.0.0.1:1/a", "http://127.0.0.1:2/b"],
  request: { client_ip: "10.0.0.7", user_agent: "audit-test" }
}

const seeded = (overrides: Partial<Sessions.SeedInput> = {}): Sessions.Sessions => {
  const [, sessions] = Sessions.seed(Sessions.empty, may12, {
    userId: Ids.UserId.make("user_target"),
    id: "sess_1",
    clientId: "client_1",
    actor: { sub: "user_support" },
    expireAt: may12 + 30 * minute,
    ...overrides
  })
  return sessions
}

const decode = Schema.decodeUnknownSync(Schema.parseJson(WebhookEvent.WebhookEvent))

describe("eventType", () => {
  it("uses Clerk's names: created, revoked, removed, and ended for every other end", () => {
    expect(Webhooks.eventType(undefined, "active")).toEqual(Option.some("session.created"))
    expect(Webhooks.eventType(undefined, "pending")).toEqual(Option.some("session.created"))
    expect(Webhooks.eventType("active", "revoked")).toEqual(Option.some("session.revoked"))
    expect(Webhooks.eventType("active", "removed")).toEqual(Option.some("session.removed"))
    for (const end of ["ended", "expired", "abandoned", "replaced"] as const) {
      expect(Webhooks.eventType("active", end)).toEqual(Option.some("session.ended"))
      expect(Webhooks.eventType("pending", end)).toEqual(Option.some("session.ended"))
    }
  })

  it("emits nothing for a session first seen over, a change after the end, or between live statuses", () => {
    expect(Webhooks.eventType(undefined, "expired")).toEqual(Option.none())
    expect(Webhooks.eventType("revoked", "expired")).toEqual(Option.none())
    expect(Webhooks.eventType("pending", "active")).toEqual(Option.none())
  })
})

describe("observe", () => {
  it("a new live session: session.created, stamped now, with the request, encoded by the schema", () => {
    const [events, log] = Webhooks.observe(Webhooks.empty, seeded(), may12 + 1, context)
    expect(events).toHaveLength(1)
    const [created] = events
    expect(created?.id).toBe("msg_000000000000000000000000000")
    expect(created?.event).toMatchObject({
      type: "session.created",
      object: "event",
      timestamp: may12 + 1,
      instanceId: "ins_test",
      eventAttributes: { http_request: { client_ip: "10.0.0.7", user_agent: "audit-test" } }
    })
    expect(created?.event.data).toBeInstanceOf(Session.Session)
    expect(created?.event.data).toMatchObject({ id: "sess_1", actor: { sub: "user_support" }, status: "active" })
    // The body is the event as the schema encodes it: snake_case, and it decodes back to the same event.
    const json = JSON.parse(created!.body)
    expect(json).toMatchObject({
      type: "session.created",
      object: "event",
      instance_id: "ins_test",
      timestamp: may12 + 1,
      event_attributes: { http_request: { client_ip: "10.0.0.7", user_agent: "audit-test" } },
      data: { id: "sess_1", object: "session", user_id: "user_target", actor: { sub: "user_support" } }
    })
    expect(json.data.user).toBeUndefined()
    expect(decode(created!.body)).toEqual(created?.event)
    expect(created?.deliveries).toEqual([
      { url: "http://127.0.0.1:1/a", attempts: [], outcome: "pending" },
      { url: "http://127.0.0.1:2/b", attempts: [], outcome: "pending" }
    ])
    expect(log.events).toEqual(events)
    expect(log.sequence).toBe(1)
    // Observed again with nothing changed: nothing new.
    const [again, same] = Webhooks.observe(log, seeded(), may12 + 2, context)
    expect(again).toEqual([])
    expect(same).toBe(log)
  })

  it("a revoke: session.revoked stamped now; an expiry: session.ended stamped at the deadline, with no request", () => {
    const sessions = seeded()
    const [, log] = Webhooks.observe(Webhooks.empty, sessions, may12, context)
    const [, revoked] = Sessions.revoke(sessions, may12 + minute, "sess_1")
    const [revokes] = Webhooks.observe(log, revoked, may12 + minute, context)
    expect(revokes.map((e) => [e.event.type, e.event.timestamp, e.event.data.status])).toEqual([
      ["session.revoked", may12 + minute, "revoked"]
    ])
    expect(revokes[0]?.id).toBe("msg_000000000000000000000000001")

    // Noticed 50 minutes late, the expiry still carries the instant it happened (10 minutes without activity).
    const [expiries, after] = Webhooks.observe(log, sessions, may12 + 60 * minute, context)
    expect(expiries.map((e) => [e.event.type, e.event.timestamp, e.event.data.status])).toEqual([
      ["session.ended", may12 + 10 * minute, "expired"]
    ])
    expect(expiries[0]?.event.eventAttributes).toEqual({ http_request: { client_ip: "", user_agent: "" } })
    expect(Webhooks.nextDeadline(after, sessions)).toEqual(Option.none())
  })

  it("several changes noticed at once come out in the order they happened", () => {
    const early = seeded({ id: "sess_early", actor: null, expireAt: may12 + 5 * minute })
    const late = Sessions.seed(early, may12, {
      userId: Ids.UserId.make("user_other"),
      id: "sess_late",
      clientId: "client_2",
      actor: null,
      expireAt: may12 + 3 * minute
    })[1]
    const [, log] = Webhooks.observe(Webhooks.empty, late, may12, context)
    expect(Webhooks.nextDeadline(log, late)).toEqual(Option.some(may12 + 3 * minute))
    const [ended] = Webhooks.observe(log, late, may12 + 9 * minute, context)
    expect(ended.map((e) => [e.event.data.id, e.event.timestamp])).toEqual([
      ["sess_late", may12 + 3 * minute],
      ["sess_early", may12 + 5 * minute]
    ])
  })

  it("a session first seen already over emits nothing", () => {
    const [events, log] = Webhooks.observe(Webhooks.empty, seeded({ status: "revoked" }), may12, context)
    expect(events).toEqual([])
    expect(log.reported.get("sess_1")).toBe("revoked")
  })
})

describe("the emulator's record of events", () => {
  it.scoped("in memory, without x-forwarded-for, an event names no client_ip: there is no peer", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const created = yield* send(
        HttpClientRequest.post(api("/actor_tokens")).pipe(
          authed,
          HttpClientRequest.bodyUnsafeJson({ user_id: "user_target", actor: { sub: "user_support" } })
        )
      )
      const token = JSON.parse(created.text) as { url: string }
      yield* send(HttpClientRequest.get(token.url).pipe(HttpClientRequest.setHeaders({ "user-agent": "support/1" })))
      const [event] = yield* emulator.webhookEvents
      expect(event?.event.eventAttributes).toEqual({ http_request: { client_ip: "", user_agent: "support/1" } })
    }).pipe(withClerk()))

  it.scoped("create → accept → revoke over HTTP: created with the actor and the request, then revoked", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const emulator = yield* Emulator.Emulator
      const created = yield* send(
        HttpClientRequest.post(api("/actor_tokens")).pipe(
          authed,
          HttpClientRequest.bodyUnsafeJson({ user_id: "user_target", actor: { sub: "user_support" } })
        )
      )
      const token = JSON.parse(created.text) as { id: string; url: string }
      yield* send(
        HttpClientRequest.get(token.url).pipe(
          HttpClientRequest.setHeaders({
            "user-agent": "support-browser/1.0",
            "x-forwarded-for": "203.0.113.9, 10.0.0.1"
          })
        )
      )
      const [session] = yield* emulator.sessions
      yield* TestClock.adjust("1 minute")
      yield* send(HttpClientRequest.post(api(`/sessions/${session!.id}/revoke`)).pipe(authed))

      const events = yield* emulator.webhookEvents
      expect(events.map((e) => e.event.type)).toEqual(["session.created", "session.revoked"])
      const [start, end] = events
      expect(start?.event.data).toMatchObject({ id: session!.id, actor: { sub: "user_support" }, status: "active" })
      expect(start?.event.timestamp).toBe(may12)
      expect(start?.event.eventAttributes).toEqual({
        http_request: { client_ip: "203.0.113.9", user_agent: "support-browser/1.0" }
      })
      expect(end?.event.data.status).toBe("revoked")
      expect(end?.event.timestamp).toBe(may12 + minute)
      expect(new Set(events.map((e) => e.event.instanceId)).size).toBe(1)
      expect(start?.event.instanceId).toMatch(/^ins_[A-Za-z0-9]{27}$/)
      expect(start?.id).toMatch(/^msg_[A-Za-z0-9]{27}$/)
      expect(end?.id).not.toBe(start?.id)
      // No endpoint: recorded, never delivered.
      expect(events.every((e) => e.deliveries.length === 0)).toBe(true)
    }).pipe(withClerk()))

  it.scoped("an expiry is recorded when it is noticed, stamped when it happened; accept() outside a request", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const emulator = yield* Emulator.make()
      const session = yield* emulator.seedSession({ userId: "user_target", actor: { sub: "user_support" } })
      const [created] = yield* emulator.webhookEvents
      expect(created?.event.eventAttributes).toEqual({ http_request: { client_ip: "", user_agent: "" } })
      yield* TestClock.adjust("25 minutes")
      const events = yield* emulator.webhookEvents
      expect(events.map((e) => [e.event.type, e.event.timestamp, e.event.data.status])).toEqual([
        ["session.created", may12, "active"],
        ["session.ended", may12 + 10 * minute, "expired"]
      ])
      expect(events[1]?.event.data.id).toBe(session.id)
    }))

  it.scoped("a sign-out: session.ended (status ended); a removal: session.removed; an ended session is left alone", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const emulator = yield* Emulator.make()
      const signedOut = yield* emulator.seedSession({ userId: "user_target", actor: { sub: "user_support" } })
      const removed = yield* emulator.seedSession({ userId: "user_target", actor: { sub: "user_support" } })
      yield* TestClock.adjust("1 minute")
      expect((yield* emulator.endSession(signedOut.id)).status).toBe("ended")
      expect((yield* emulator.removeSession(removed.id)).status).toBe("removed")
      const refused = yield* Effect.flip(emulator.removeSession(signedOut.id))
      expect(refused).toMatchObject({ _tag: "SessionRejected", reason: "NotActive" })
      expect((yield* Effect.flip(emulator.endSession("sess_unknown"))).reason).toBe("NotFound")
      const events = yield* emulator.webhookEvents
      expect(events.map((e) => [e.event.type, e.event.data.id, e.event.data.status, e.event.timestamp])).toEqual([
        ["session.created", signedOut.id, "active", may12],
        ["session.created", removed.id, "active", may12],
        ["session.ended", signedOut.id, "ended", may12 + minute],
        ["session.removed", removed.id, "removed", may12 + minute]
      ])
      const found = yield* emulator.findSession(signedOut.id)
      expect(Option.map(found, (s) => s.status)).toEqual(Option.some("ended"))
    }))

  it.scoped("reset forgets the events, and never reuses a delivery id", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* emulator.seedSession({ userId: "user_target" })
      const [before] = yield* emulator.webhookEvents
      yield* emulator.reset
      expect(yield* emulator.webhookEvents).toEqual([])
      yield* emulator.seedSession({ userId: "user_target" })
      const [after] = yield* emulator.webhookEvents
      expect(after?.id).not.toBe(before?.id)
    }))
})

describe("the webhooks option", () => {
  it.scoped("refuses a secret that is not whsec_ and base64, and a URL that is not http(s), never echoing a secret", () =>
    Effect.gen(function*() {
      const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=" // base64 of "secret-secret-secret"
      const bare = yield* Effect.flip(
        Emulator.make({ webhooks: [{ url: "http://127.0.0.1:9/h", secret: "c2VjcmV0" }] })
      )
      expect(bare.option).toBe("webhooks.0.secret")
      expect(bare.message).toContain("whsec_")
      const notBase64 = "whsec_not base64!"
      const second = yield* Effect.flip(
        Emulator.make({
          webhooks: [{ url: "http://127.0.0.1:9/h", secret }, {
            url: "http://127.0.0.1:9/h",
            secret: Redacted.make(notBase64)
          }]
        })
      )
      expect(second.option).toBe("webhooks.1.secret")
      expect(second.message).not.toContain("not base64!")
      const url = yield* Effect.flip(Emulator.make({ webhooks: [{ url: "ftp://example.test/h", secret }] }))
      expect(url.option).toBe("webhooks.0.url")
      const ok = yield* Effect.exit(Emulator.make({ webhooks: [{ url: new URL("http://127.0.0.1:9/h?x=1"), secret }] }))
      expect(Exit.isSuccess(ok)).toBe(true)
      if (Exit.isSuccess(ok)) {
        expect(ok.value.options.webhooks.map((w) => w.url)).toEqual(["http://127.0.0.1:9/h?x=1"])
        expect(Redacted.isRedacted(ok.value.options.webhooks[0]?.secret)).toBe(true)
      }
    }))
})
