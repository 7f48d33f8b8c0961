import { Session, WebhookEvent } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"

const decode = Schema.decodeUnknownEither(WebhookEvent.WebhookEvent)
const decodeSync = Schema.decodeUnknownSync(WebhookEvent.WebhookEvent)
const encode = Schema.encodeSync(WebhookEvent.WebhookEvent)

const session = {
  object: "session",
  id: "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  client_id: "client_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  actor: { sub: "user_support_42", iss: "https://dashboard.clerk.com" },
  status: "active",
  last_active_organization_id: null,
  last_active_at: 1700000000000,
  expire_at: 1700001800000,
  abandon_at: 1702592000000,
  updated_at: 1700000000000,
  created_at: 1700000000000
}

const sessionCreated = {
  data: { ...session, user: { id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", object: "user", first_name: "Ada" } },
  event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "Mozilla/5.0" } },
  instance_id: "ins_2abcdefghijklmnopqrstuvwx",
  object: "event",
  timestamp: 1700000000123,
  type: "session.created"
}

describe("WebhookEvent", () => {
  it("decodes a session event: the data is a Session, the user kept as JSON, the envelope in camelCase", () => {
    const event = decodeSync(sessionCreated)
    expect(event._tag).toBe("SessionEvent")
    if (event._tag !== "SessionEvent") return
    expect(event.type).toBe("session.created")
    expect(event.timestamp).toBe(1700000000123)
    expect(event.instanceId).toBe("ins_2abcdefghijklmnopqrstuvwx")
    expect(event.eventAttributes).toEqual(sessionCreated.event_attributes)
    expect(event.data).toBeInstanceOf(Session.Session)
    expect(event.data.actor).toEqual(session.actor)
    expect(event.data.userId).toBe(session.user_id)
    expect(event.data.createdAt).toBe(session.created_at)
    expect(event.data.user).toEqual(sessionCreated.data.user)
  })

  it.each(WebhookEvent.SessionEventType.literals)("decodes %s as a session event", (type) => {
    expect(decodeSync({ ...sessionCreated, type })._tag).toBe("SessionEvent")
  })

  it("takes a session event without user, actor or event_attributes (a null user too)", () => {
    const { actor: _, ...unimpersonated } = session
    const { event_attributes: __, ...bare } = sessionCreated
    const event = decodeSync({ ...bare, data: unimpersonated })
    expect(event._tag === "SessionEvent" && event.data.actor).toBe(null)
    expect(event.eventAttributes).toBeUndefined()
    const withNullUser = decodeSync({ ...bare, data: { ...session, user: null } })
    expect(withNullUser._tag === "SessionEvent" && withNullUser.data.user).toBe(null)
  })

  it("encodes back to the wire JSON it came from, without the tag", () => {
    expect(encode(decodeSync(sessionCreated))).toEqual(sessionCreated)
    const userCreated = { ...sessionCreated, type: "user.created", data: { id: "user_1", nested: [1, { a: null }] } }
    expect(encode(decodeSync(userCreated))).toEqual(userCreated)
  })

  it("keeps every other type, known or not, as an UnknownEvent with its data untouched", () => {
    for (const type of ["user.created", "organization.deleted", "session.expired", "something.clerk.adds.later"]) {
      const data = { id: "x", deep: { list: [1, "two", null] } }
      const event = decodeSync({ ...sessionCreated, type, data })
      expect(event).toMatchObject({ _tag: "UnknownEvent", type, data })
    }
    const arrayData = decodeSync({ ...sessionCreated, type: "batch.created", data: [1, 2] })
    expect(arrayData).toMatchObject({ _tag: "UnknownEvent", data: [1, 2] })
  })

  it.prop("never fails on an envelope of an unknown type, whatever the data", [
    FastCheck.string().filter((type) => !type.startsWith("session.")),
    FastCheck.jsonValue()
  ], ([type, data]) => {
    const event = decodeSync({ ...sessionCreated, type, data })
    expect(event._tag).toBe("UnknownEvent")
    expect(event.data).toEqual(data)
  })

  it("fails a session event whose data is not a session instead of passing it off as an unknown event", () => {
    const broken = { ...sessionCreated, data: { ...session, status: "sleeping" } }
    expect(Either.isLeft(decode(broken))).toBe(true)
    expect(Either.isLeft(decode({ ...sessionCreated, data: { id: "sess_1" } }))).toBe(true)
  })

  it("fails a body that is not an event envelope", () => {
    const { instance_id: _, ...noInstance } = sessionCreated
    for (
      const bad of [
        null,
        [],
        "session.created",
        { ...sessionCreated, object: "session" },
        { ...sessionCreated, timestamp: "1700000000123" },
        { ...sessionCreated, timestamp: 1.5 },
        { ...sessionCreated, type: 42 },
        { ...sessionCreated, event_attributes: "none" },
        noInstance
      ]
    ) {
      expect(Either.isLeft(decode(bad)), JSON.stringify(bad)).toBe(true)
    }
  })
})
