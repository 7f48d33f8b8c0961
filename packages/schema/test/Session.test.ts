import { Session } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck, Schema } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as YAML from "yaml"
import { hasProtoKey } from "./utils/arbitraries.js"
import { at, inlineRefs, overTheWire, repoRoot, validator } from "./utils/spec.js"
import { sessionOperations, subset } from "./utils/subset.js"

const fixturePath = path.join(repoRoot, "packages/schema/test/fixtures/sessions.openapi.yml")
const fullSpecPath = path.resolve(repoRoot, "../shared/clerk/2026-05-12.yml")
/** The whole official spec this subset was cut from (shared/clerk/2026-05-12.yml). */
const fullSpecSha256 = "75df3a43fcb2d9fc4467a23c717714f5228aa3267b0930ba34612728365fd8f2"
/** The subset as cut from it: checked even where the whole spec is not beside the repository. */
const fixtureSha256 = "874af702470ecfee97f92b35f701b7d0d6688649a0d1193d292b01fe5d0d972b"

const doc: unknown = YAML.parse(fs.readFileSync(fixturePath, "utf8"))
const listOperation = "/paths/~1sessions/get"
const validateResponse = (operation: string) =>
  validator(at("/responses/200/content/application~1json/schema", inlineRefs(at(operation, doc), [], doc)))
const validateSession = validateResponse("/paths/~1sessions~1{session_id}/get")
const validateRevoked = validateResponse("/paths/~1sessions~1{session_id}~1revoke/post")
const validateList = validateResponse(listOperation)

const decode = Schema.decodeUnknownSync(Session.Session)
const encode = Schema.encodeSync(Session.Session)
const decodeList = Schema.decodeUnknownEither(Session.SessionList)
const encodeList = Schema.encodeSync(Session.SessionList)

const impersonated = {
  object: "session",
  id: "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  client_id: "client_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  actor: { sub: "user_support_42", ticket: "T-1", iss: "https://dashboard.clerk.com" },
  status: "active",
  last_active_organization_id: null,
  last_active_at: 1700000000000,
  latest_activity: { object: "session_activity", id: "sess_activity_1", is_mobile: false, city: "Berlin" },
  expire_at: 1700001800000,
  abandon_at: 1702592000000,
  updated_at: 1700000000000,
  created_at: 1700000000000,
  tasks: null
}
const { actor: _, latest_activity: __, last_active_organization_id: ___, tasks: ____, ...minimal } = impersonated

describe("the sessions spec fixture", () => {
  it("is exactly the session operations of Clerk's whole spec, with every component they reference", () => {
    expect(createHash("sha256").update(fs.readFileSync(fixturePath)).digest("hex")).toBe(fixtureSha256)
    if (!fs.existsSync(fullSpecPath)) {
      console.warn(
        `Session.test.ts: ${fullSpecPath} is not beside the repository; the fixture was checked only for its own ` +
          "recorded hash and its own paths, not against Clerk's whole spec"
      )
      expect(Object.keys(at("/paths", doc) as object).sort()).toEqual(sessionOperations.map(([p]) => p).sort())
      return
    }
    const text = fs.readFileSync(fullSpecPath)
    expect(createHash("sha256").update(text).digest("hex")).toBe(fullSpecSha256)
    const full = YAML.parse(text.toString("utf8"), { maxAliasCount: -1 }) as Record<string, unknown>
    expect(doc).toEqual(subset(full, sessionOperations))
  })
})

describe("decoding Session.Session", () => {
  it("decodes an impersonated session into camelCase fields, every actor key kept", () => {
    expect(validateSession(impersonated)).toEqual([])
    const session = decode(impersonated)
    expect(session).toBeInstanceOf(Session.Session)
    expect(session).toMatchObject({
      object: "session",
      id: impersonated.id,
      userId: impersonated.user_id,
      clientId: impersonated.client_id,
      actor: impersonated.actor,
      status: "active",
      lastActiveOrganizationId: null,
      lastActiveAt: impersonated.last_active_at,
      expireAt: impersonated.expire_at,
      abandonAt: impersonated.abandon_at,
      updatedAt: impersonated.updated_at,
      createdAt: impersonated.created_at,
      tasks: null
    })
    expect(session.latestActivity).toMatchObject({ object: "session_activity", isMobile: false, city: "Berlin" })
  })

  it("decodes the fields the spec leaves optional as absent, and a missing actor as null (not impersonated)", () => {
    expect(validateSession(minimal)).toEqual([])
    const session = decode(minimal)
    expect(session.actor).toBeNull()
    expect(session.latestActivity).toBeUndefined()
    expect(session.tasks).toBeUndefined()
    expect(session.lastActiveOrganizationId).toBeUndefined()
  })

  it("keeps integers as given, and ignores fields it does not know", () => {
    const session = decode({ ...impersonated, created_at: 1, a_field_clerk_adds_later: { x: 1 } })
    expect(session.createdAt).toBe(1)
    expect("a_field_clerk_adds_later" in encode(session)).toBe(false)
  })

  it.each(["active", "revoked", "ended", "expired", "removed", "abandoned", "replaced", "pending"] as const)(
    "decodes status %s",
    (status) => {
      expect(validateSession({ ...impersonated, status })).toEqual([])
      expect(decode({ ...impersonated, status }).status).toBe(status)
    }
  )

  it("refuses what is not a session: an unknown status, an id with a slash, a fractional timestamp", () => {
    expect(() => decode({ ...impersonated, status: "paused" })).toThrow()
    expect(() => decode({ ...impersonated, id: "sess_1/revoke" })).toThrow()
    expect(() => decode({ ...impersonated, created_at: 1.5 })).toThrow()
  })

  it("encodes what the spec accepts, for a session and for a revoked one", () => {
    const json = overTheWire(encode(decode(impersonated)))
    expect(validateSession(json)).toEqual([])
    expect(validateRevoked(overTheWire(encode(decode({ ...impersonated, status: "revoked" }))))).toEqual([])
  })

  const representable = Arbitrary.make(Session.Session).filter((session) => !hasProtoKey(session))

  it.prop("encodes any session to JSON the spec accepts, and decodes it back", [representable], ([session]) => {
    const json = overTheWire(encode(session))
    expect(validateSession(json)).toEqual([])
    expect(encode(decode(json))).toEqual(json)
  })
})

describe("decoding Session.SessionList", () => {
  it("decodes the bare array the spec declares, with no total", () => {
    const wire = [impersonated, { ...minimal, id: "sess_2" }]
    expect(validateList(wire)).toEqual([])
    const page = Either.getOrThrow(decodeList(wire))
    expect(page.data.map((s) => s.id)).toEqual([impersonated.id, "sess_2"])
    expect(page.totalCount).toBeUndefined()
    expect("totalCount" in page).toBe(false)
  })

  it("decodes the paginated shape { data, total_count }", () => {
    const page = Either.getOrThrow(decodeList({ data: [impersonated], total_count: 42 }))
    expect(page.data).toHaveLength(1)
    expect(page.data[0]).toBeInstanceOf(Session.Session)
    expect(page.totalCount).toBe(42)
  })

  it("decodes empty lists in both shapes, and ignores extra fields of the envelope", () => {
    expect(Either.getOrThrow(decodeList([])).data).toEqual([])
    expect(Either.getOrThrow(decodeList({ data: [], total_count: 0, next: "x" }))).toEqual({ data: [], totalCount: 0 })
  })

  it("refuses what is neither shape", () => {
    expect(Either.isLeft(decodeList({ sessions: [impersonated] }))).toBe(true)
    expect(Either.isLeft(decodeList({ data: [impersonated] }))).toBe(true)
    expect(Either.isLeft(decodeList([{ ...impersonated, status: "paused" }]))).toBe(true)
    expect(Either.isLeft(decodeList(null))).toBe(true)
  })

  it("encodes to the paginated shape when the total is known, to the bare array otherwise", () => {
    const session = decode(impersonated)
    expect(encodeList({ data: [session], totalCount: 1 })).toEqual({ data: [impersonated], total_count: 1 })
    const bare = encodeList({ data: [session] })
    expect(bare).toEqual([impersonated])
    expect(validateList(overTheWire(bare))).toEqual([])
  })
})

describe("Session.ListSessionsParams", () => {
  // The client checks a caller's params by encoding them: the type side is checked, the wire side comes out.
  const encodeParams = Schema.encodeUnknownEither(Session.ListSessionsParams)
  const decodeQuery = Schema.decodeUnknownEither(Session.ListSessionsParams)
  const listParameters = (at(`${listOperation}/parameters`, doc) as ReadonlyArray<unknown>).map((p) =>
    (inlineRefs(p, [], doc) as { name: string }).name
  )

  it("filters by exactly the statuses the spec's status parameter lists: every session status but pending", () => {
    const statusParameter = (at(`${listOperation}/parameters`, doc) as ReadonlyArray<unknown>)
      .map((p) => inlineRefs(p, [], doc) as { name: string; schema: { enum?: ReadonlyArray<string> } })
      .find((p) => p.name === "status")
    const filterable = Session.SessionStatus.literals.filter(Schema.is(Session.SessionListStatus))
    expect([...filterable].sort()).toEqual([...(statusParameter?.schema.enum ?? [])].sort())
    expect(filterable).not.toContain("pending")
  })

  it("encodes to the spec's query parameter names, and decodes them back", () => {
    const params = { userId: "user_1", clientId: "client_1", status: "active", limit: 500, offset: 1000 }
    const query = Either.getOrThrow(encodeParams(params))
    expect(query).toEqual({ user_id: "user_1", client_id: "client_1", status: "active", limit: 500, offset: 1000 })
    for (const name of Object.keys(query)) expect(listParameters).toContain(name)
    expect(Either.getOrThrow(decodeQuery(query))).toEqual(params)
  })

  it.each([
    ["neither userId nor clientId", { status: "active" }],
    ["a limit of 0", { userId: "user_1", limit: 0 }],
    ["a limit of 501", { userId: "user_1", limit: 501 }],
    ["a fractional limit", { userId: "user_1", limit: 2.5 }],
    ["a negative offset", { userId: "user_1", offset: -1 }],
    ["a user id with a query", { userId: "user_1?status=revoked" }],
    ["a client id with a slash", { clientId: "client_1/x" }],
    ["a status the list cannot filter by", { userId: "user_1", status: "pending" }]
  ])("refuses %s", (_, input) => {
    expect(Either.isLeft(encodeParams(input))).toBe(true)
  })

  it.prop(
    "accepts every limit from 1 to 500 and every offset ≥ 0",
    [FastCheck.integer({ min: 1, max: 500 }), FastCheck.nat()],
    ([limit, offset]) => {
      expect(Either.getOrThrow(encodeParams({ userId: "user_1", limit, offset }))).toEqual({
        user_id: "user_1",
        limit,
        offset
      })
    }
  )
})
