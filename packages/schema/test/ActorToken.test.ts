import { ActorToken } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck, Redacted, Schema } from "effect"
import * as util from "node:util"
import { hasProtoKey } from "./utils/arbitraries.js"
import { overTheWire, validateActorToken } from "./utils/spec.js"

const decode = Schema.decodeUnknownSync(ActorToken.ActorToken)
const decodeEither = Schema.decodeUnknownEither(ActorToken.ActorToken)
const encode = Schema.encodeSync(ActorToken.ActorToken)

const secretToken = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRpY2tldA.c2lnbmF0dXJl"
const secretUrl = `https://happy-hippo-1.clerk.accounts.dev/v1/tickets/accept?ticket=${secretToken}`

// A response exactly as the spec's ActorToken schema describes it.
const full = {
  object: "actor_token",
  id: "act_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  status: "pending",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  actor: { sub: "user_support_42", reason: "ticket #1234", level: 2, tags: ["a"], nested: { ok: true } },
  token: secretToken,
  url: secretUrl,
  created_at: 1700000000000,
  updated_at: 1700000001000
} as const

const { token: _token, url: _url, ...withoutCredentials } = full

// Wire JSON of actor tokens that satisfy the spec's response schema; ids drawn from the characters Clerk uses.
const clerkId = (prefix: string) => FastCheck.stringMatching(/^[A-Za-z0-9]{1,27}$/).map((rest) => `${prefix}_${rest}`)
const specActorToken = FastCheck.record(
  {
    object: FastCheck.constant("actor_token"),
    id: clerkId("act"),
    status: FastCheck.constantFrom("pending", "accepted", "revoked"),
    user_id: clerkId("user"),
    actor: FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue()),
    token: FastCheck.string(),
    url: FastCheck.webUrl({ withQueryParameters: true }),
    created_at: FastCheck.maxSafeInteger(),
    updated_at: FastCheck.maxSafeInteger()
  },
  { requiredKeys: ["object", "id", "status", "user_id", "actor", "created_at", "updated_at"] }
).filter((json) => !hasProtoKey(json))

// Tokens the spec can describe: token and url present or absent (never null), actor an object (never null).
const representableToken = Arbitrary.make(ActorToken.ActorToken).map(({ actor, token, url, ...rest }) =>
  new ActorToken.ActorToken({
    ...rest,
    actor: actor ?? {},
    ...(token == null ? {} : { token }),
    ...(url == null ? {} : { url })
  })
).filter((token) => !hasProtoKey(token))

describe("decoding ActorToken.ActorToken", () => {
  it("decodes a full response into camelCase fields, credentials redacted", () => {
    expect(validateActorToken(full)).toEqual([])
    const token = decode(full)
    expect(token).toBeInstanceOf(ActorToken.ActorToken)
    expect(token.object).toBe("actor_token")
    expect(token.id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
    expect(token.status).toBe("pending")
    expect(token.userId).toBe("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb")
    expect(token.actor).toEqual(full.actor)
    expect(token.createdAt).toBe(1700000000000)
    expect(token.updatedAt).toBe(1700000001000)
    expect(Redacted.isRedacted(token.token)).toBe(true)
    expect(Redacted.isRedacted(token.url)).toBe(true)
  })

  it("decodes a response without token and url, leaving them absent", () => {
    expect(validateActorToken(withoutCredentials)).toEqual([])
    const token = decode(withoutCredentials)
    expect(token.token).toBeUndefined()
    expect(token.url).toBeUndefined()
    expect(Object.keys(encode(token))).not.toContain("token")
    expect(Object.keys(encode(token))).not.toContain("url")
  })

  it.each(["pending", "accepted", "revoked"] as const)("decodes status %s", (status) => {
    expect(validateActorToken({ ...full, status })).toEqual([])
    expect(decode({ ...full, status }).status).toBe(status)
  })

  it("decodes an empty actor", () => {
    expect(validateActorToken({ ...full, actor: {} })).toEqual([])
    expect(decode({ ...full, actor: {} }).actor).toEqual({})
  })

  it.prop("decodes any response that satisfies the spec, keeping every field", [specActorToken], ([json]) => {
    expect(validateActorToken(json)).toEqual([])
    const token = decode(json)
    expect(token.id).toBe(json.id)
    expect(token.status).toBe(json.status)
    expect(token.userId).toBe(json.user_id)
    expect(token.actor).toEqual(json.actor)
    expect(token.createdAt).toBe(json.created_at)
    expect(token.updatedAt).toBe(json.updated_at)
    expect(token.token === undefined ? undefined : Redacted.value(token.token!)).toBe(json.token)
    expect(token.url === undefined ? undefined : Redacted.value(token.url!)).toBe(json.url)
  })
})

// Clerk's docs allow for these though the spec does not (FACTS.md): decoding is lenient.
describe("decoding beyond the spec", () => {
  it("decodes token and url sent as null", () => {
    const json = { ...full, token: null, url: null }
    expect(validateActorToken(json)).not.toEqual([])
    const token = decode(json)
    expect(token.token).toBeNull()
    expect(token.url).toBeNull()
  })

  it("decodes a null actor", () => {
    const json = { ...full, actor: null }
    expect(validateActorToken(json)).not.toEqual([])
    expect(decode(json).actor).toBeNull()
  })

  it("ignores unknown fields", () => {
    const json = { ...full, instance_id: "ins_1", expires_at: 1700003600000, actor_token_id: "x" }
    expect(validateActorToken(json)).not.toEqual([])
    const token = decode(json)
    expect(token).toEqual(decode(full))
    expect(Object.keys(encode(token)).sort()).toEqual(Object.keys(full).sort())
  })
})

describe("decoding refuses", () => {
  it.each([
    ["an unknown status", { ...full, status: "expired" }],
    ["a non-integer created_at", { ...full, created_at: 1700000000000.5 }],
    ["a string created_at", { ...full, created_at: "1700000000000" }],
    ["a non-integer updated_at", { ...full, updated_at: 1.5 }],
    ["an id with a slash", { ...full, id: "act_1/revoke" }],
    ["an id with a query", { ...full, id: "act_1?x=1" }],
    ["an empty id", { ...full, id: "" }],
    ["a missing id", withoutId()],
    ["a user_id with a slash", { ...full, user_id: "../user_1" }],
    ["a camelCase userId instead of user_id", renameUserId()],
    ["another object type", { ...full, object: "user" }],
    ["an array actor", { ...full, actor: [] }],
    ["a string actor", { ...full, actor: "user_1" }],
    ["a numeric token", { ...full, token: 1 }],
    ["an object url", { ...full, url: { href: secretUrl } }],
    ["null", null],
    ["an array", [full]]
  ])("%s", (_label, input) => {
    expect(Either.isLeft(decodeEither(input))).toBe(true)
  })
})

function withoutId(): unknown {
  const { id: _id, ...rest } = full
  return rest
}

function renameUserId(): unknown {
  const { user_id, ...rest } = full
  return { ...rest, userId: user_id }
}

describe("encoding ActorToken.ActorToken", () => {
  it("writes the spec's wire JSON: snake_case keys, object tag, plain credentials", () => {
    const json = encode(decode(full))
    expect(json).toEqual(full)
    expect(Object.keys(json).sort()).toEqual(
      ["actor", "created_at", "id", "object", "status", "token", "updated_at", "url", "user_id"]
    )
    expect(validateActorToken(json)).toEqual([])
    expect(validateActorToken(overTheWire(json))).toEqual([])
  })

  it("writes the object tag even when the response left it out", () => {
    const { object: _object, ...json } = full
    expect(encode(decode(json)).object).toBe("actor_token")
  })

  it.prop(
    "writes JSON the spec's response schema accepts for tokens with credentials present or absent",
    [representableToken],
    ([token]) => {
      const json = encode(token)
      expect(validateActorToken(json)).toEqual([])
      expect(Object.keys(json).every((key) => /^[a-z]+(_[a-z]+)*$/.test(key))).toBe(true)
      expect("token" in json).toBe(token.token !== undefined)
      expect("url" in json).toBe(token.url !== undefined)
    }
  )

  it.prop("decodes what it encodes", [representableToken], ([token]) => {
    const decoded = decode(encode(token))
    expect(decoded.id).toBe(token.id)
    expect(decoded.userId).toBe(token.userId)
    expect(decoded.actor).toEqual(token.actor)
    expect(decoded.token === undefined ? undefined : Redacted.value(decoded.token!)).toBe(
      token.token === undefined ? undefined : Redacted.value(token.token!)
    )
    expect(decoded.url === undefined ? undefined : Redacted.value(decoded.url!)).toBe(
      token.url === undefined ? undefined : Redacted.value(token.url!)
    )
  })
})

describe("the token and url credentials", () => {
  it("print as <redacted> through String, JSON.stringify and util.inspect", () => {
    const token = decode(full)
    for (const credential of [token.token!, token.url!]) {
      expect(String(credential)).toBe("<redacted>")
      expect(`${credential}`).toBe("<redacted>")
      expect(JSON.stringify(credential)).toBe("\"<redacted>\"")
      expect(util.inspect(credential)).toBe("<redacted>")
    }
  })

  it("never appear when the whole token is printed", () => {
    const token = decode(full)
    const printed = [
      String(token),
      JSON.stringify(token),
      util.inspect(token, { depth: null }),
      util.format("%o", token),
      util.format("%j", { token })
    ]
    for (const text of printed) {
      expect(text).not.toContain(secretToken)
      expect(text).not.toContain("ticket=")
      expect(text).toContain("<redacted>")
    }
  })

  it("are not echoed by the error of a failed decode", () => {
    const result = decodeEither({ ...full, status: "expired", created_at: 0.5 })
    expect(Either.isLeft(result)).toBe(true)
    const message = Either.isLeft(result) ? result.left.message : ""
    expect(message).toContain("status")
    expect(message).not.toContain(secretToken)
  })

  it("give the original strings with Redacted.value", () => {
    const token = decode(full)
    expect(Redacted.value(token.token!)).toBe(secretToken)
    expect(Redacted.value(token.url!)).toBe(secretUrl)
  })

  it("are written back in plain text on the wire side", () => {
    const json = encode(decode(full))
    expect(json.token).toBe(secretToken)
    expect(json.url).toBe(secretUrl)
  })
})
