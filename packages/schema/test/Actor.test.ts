import { Actor, Json } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Schema } from "effect"
import { at, createOperation } from "./utils/spec.js"

const decodeActor = Schema.decodeUnknownEither(Actor.Actor)

// Values `JSON.stringify` would silently change or drop.
const notJson = [
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["a function", () => "x"],
  ["a bigint", 1n],
  ["undefined", undefined],
  ["a symbol", Symbol("x")]
] as const

describe("Actor.Actor", () => {
  it("decodes the spec's example of `actor`", () => {
    const example = at(`${createOperation}/requestBody/content/application~1json/schema/properties/actor/example`)
    expect(Schema.decodeUnknownSync(Actor.Actor)(example)).toEqual({ sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb" })
  })

  it("keeps every extra claim beside `sub`, as given", () => {
    const actor = {
      sub: "user_support_42",
      reason: "ticket #1234",
      level: 2,
      ratio: 0.5,
      trusted: true,
      none: null,
      tags: ["a", 1, false, null, { deep: [[]] }],
      nested: { a: { b: { c: "d" } } }
    }
    expect(Schema.decodeUnknownSync(Actor.Actor)(actor)).toEqual(actor)
    expect(Schema.encodeSync(Actor.Actor)(actor)).toEqual(actor)
  })

  it.each([
    ["missing `sub`", { reason: "x" }],
    ["an empty `sub`", { sub: "" }],
    ["a numeric `sub`", { sub: 42 }],
    ["a null `sub`", { sub: null }],
    ["null", null],
    ["an array", [{ sub: "user_1" }]],
    ["a string", "user_1"]
  ])("rejects %s", (_label, input) => {
    expect(Either.isLeft(decodeActor(input))).toBe(true)
  })

  it.each(notJson)("rejects %s as an extra claim, at the top level and nested", (_label, value) => {
    expect(Either.isLeft(decodeActor({ sub: "user_1", claim: value }))).toBe(true)
    expect(Either.isLeft(decodeActor({ sub: "user_1", claim: { inner: value } }))).toBe(true)
    expect(Either.isLeft(decodeActor({ sub: "user_1", claim: [1, value] }))).toBe(true)
  })
})

describe("Json.JsonValue", () => {
  it.each([
    ["a string", "x"],
    ["a number", -1.5],
    ["zero", 0],
    ["a boolean", false],
    ["null", null],
    ["an array", [1, "a"]],
    ["an object", { a: { b: [null] } }]
  ])("accepts %s", (_label, value) => {
    expect(Schema.decodeUnknownSync(Json.JsonValue)(value)).toEqual(value)
  })

  it.each(notJson)("rejects %s", (_label, value) => {
    expect(Schema.is(Json.JsonValue)(value)).toBe(false)
  })
})

const impersonatedClaims = {
  sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  sid: "sess_impersonated",
  iss: "https://clerk.example.com",
  exp: 1700000600,
  act: {
    sub: "user_support_42",
    iss: "https://dashboard.clerk.com",
    sid: "sess_support",
    reason: "ticket #1234",
    scopes: ["read"]
  }
}

const malformedActs = [
  ["a string", "user_support_42"],
  ["null", null],
  ["an array", [{ sub: "user_support_42" }]],
  ["an object without sub", { iss: "https://dashboard.clerk.com" }],
  ["an empty sub", { sub: "" }],
  ["a numeric sub", { sub: 42 }],
  ["a numeric iss", { sub: "user_support_42", iss: 1 }],
  ["a null sid", { sub: "user_support_42", sid: null }]
] as const

describe("Actor.decodeActClaim", () => {
  it.effect("returns the act claim with sub, iss, sid and every extra key", () =>
    Effect.gen(function*() {
      const act = yield* Actor.decodeActClaim(impersonatedClaims)
      expect(act).toEqual(Option.some(impersonatedClaims.act))
      const value = Option.getOrThrow(act)
      expect(value.sub).toBe("user_support_42")
      expect(value.iss).toBe("https://dashboard.clerk.com")
      expect(value.sid).toBe("sess_support")
      expect(value["reason"]).toBe("ticket #1234")
    }))

  it.effect("returns an act claim that has only sub", () =>
    Effect.gen(function*() {
      const act = yield* Actor.decodeActClaim({ sub: "user_1", act: { sub: "user_2" } })
      expect(act).toEqual(Option.some({ sub: "user_2" }))
    }))

  it.effect("returns None for a session that is not an impersonation", () =>
    Effect.gen(function*() {
      const { act: _act, ...claims } = impersonatedClaims
      expect(yield* Actor.decodeActClaim(claims)).toEqual(Option.none())
      expect(yield* Actor.decodeActClaim({})).toEqual(Option.none())
    }))

  it.effect.each(malformedActs)("fails with a ParseError when act is %s", ([_label, act]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Actor.decodeActClaim({ ...impersonatedClaims, act }))
      expect(error._tag).toBe("ParseError")
      expect(error.message).toContain("act")
    }))

  it.effect.each([["null", null], ["a string", "eyJhbGciOi"], ["a number", 1], ["undefined", undefined]])(
    "fails with a ParseError when the claims are %s",
    ([_label, claims]) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Actor.decodeActClaim(claims))
        expect(error._tag).toBe("ParseError")
      })
  )
})

describe("Actor.getActClaim", () => {
  it("returns the act claim with every key", () => {
    expect(Actor.getActClaim(impersonatedClaims)).toEqual(Option.some(impersonatedClaims.act))
  })

  it("returns None without an act claim", () => {
    expect(Actor.getActClaim({ sub: "user_1", sid: "sess_1" })).toEqual(Option.none())
  })

  it.each(malformedActs)("returns None when act is %s", (_label, act) => {
    expect(Actor.getActClaim({ ...impersonatedClaims, act })).toEqual(Option.none())
  })

  it.each([null, "eyJhbGciOi", 1, undefined])("returns None when the claims are %j", (claims) => {
    expect(Actor.getActClaim(claims)).toEqual(Option.none())
  })
})
