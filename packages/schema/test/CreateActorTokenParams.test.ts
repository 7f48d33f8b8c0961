import { ActorToken, Ids } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck, Schema } from "effect"
import { hasProtoKey } from "./utils/arbitraries.js"
import { at, createOperation, overTheWire, validateCreateBody } from "./utils/spec.js"

const Params = ActorToken.CreateActorTokenParams
const encode = Schema.encodeSync(Params)
const encodeEither = Schema.encodeEither(Params)
const decode = Schema.decodeUnknownSync(Params)
const arbitraryParams = Arbitrary.make(Params).filter((params) => !hasProtoKey(params))

const userId = Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb")
const minimal: ActorToken.CreateActorTokenParams = { userId, actor: { sub: "user_support_42" } }
const complete: ActorToken.CreateActorTokenParams = {
  userId,
  actor: { sub: "user_support_42", reason: "ticket #1234", level: 2, tags: ["a", null], scope: { read: true } },
  expiresInSeconds: 600,
  sessionMaxDurationInSeconds: 300
}

const requestProperties = Object.keys(
  at(`${createOperation}/requestBody/content/application~1json/schema/properties`) as object
)

describe("encoding ActorToken.CreateActorTokenParams", () => {
  it("writes every key the spec's request schema declares, snake_case, and no other", () => {
    const body = encode(complete)
    expect(Object.keys(body).sort()).toEqual([...requestProperties].sort())
    expect(body).toEqual({
      user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
      actor: { sub: "user_support_42", reason: "ticket #1234", level: 2, tags: ["a", null], scope: { read: true } },
      expires_in_seconds: 600,
      session_max_duration_in_seconds: 300
    })
    expect(validateCreateBody(body)).toEqual([])
    expect(validateCreateBody(overTheWire(body))).toEqual([])
  })

  it("leaves out the durations that are not given, so Clerk's defaults apply", () => {
    const body = encode(minimal)
    expect(body).toEqual({ user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_support_42" } })
    expect(Object.keys(body)).toEqual(["user_id", "actor"])
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({ user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_support_42" } })
    )
    expect(validateCreateBody(body)).toEqual([])
  })

  it("writes only the duration that is given", () => {
    expect(Object.keys(encode({ ...minimal, expiresInSeconds: 60 }))).toEqual(
      ["user_id", "actor", "expires_in_seconds"]
    )
    expect(Object.keys(encode({ ...minimal, sessionMaxDurationInSeconds: 60 }))).toEqual(
      ["user_id", "actor", "session_max_duration_in_seconds"]
    )
  })

  it("writes the actor's extra claims verbatim beside sub, never under additionalProperties", () => {
    const actor = { sub: "user_support_42", reason: "ticket #1234", team: { id: "team_1", roles: ["admin"] } }
    const body = encode({ ...minimal, actor })
    expect(body.actor).toEqual(actor)
    expect(Object.keys(body.actor)).toEqual(["sub", "reason", "team"])
    expect(body.actor).not.toHaveProperty("additionalProperties")
    expect(JSON.stringify(body.actor)).toBe(JSON.stringify(actor))
  })

  it.prop("writes bodies the spec's request schema accepts", [arbitraryParams], ([params]) => {
    const body = encode(params)
    expect(validateCreateBody(body)).toEqual([])
    expect(validateCreateBody(overTheWire(body))).toEqual([])
  }, { fastCheck: { numRuns: 200 } })

  it.prop("writes snake_case keys, the actor as given, and only the durations given", [arbitraryParams], ([params]) => {
    const body = encode(params)
    expect(Object.keys(body).every((key) => requestProperties.includes(key))).toBe(true)
    expect(body.user_id).toBe(params.userId)
    expect(body.actor).toEqual(params.actor)
    expect(Object.keys(body.actor).sort()).toEqual(Object.keys(params.actor).sort())
    expect("expires_in_seconds" in body).toBe(params.expiresInSeconds !== undefined)
    expect("session_max_duration_in_seconds" in body).toBe(params.sessionMaxDurationInSeconds !== undefined)
    expect(body.expires_in_seconds).toBe(params.expiresInSeconds)
    expect(body.session_max_duration_in_seconds).toBe(params.sessionMaxDurationInSeconds)
  })

  it.prop("decodes what it encodes", [arbitraryParams], ([params]) => {
    expect(decode(encode(params))).toEqual(params)
  })
})

const invalidDurations = [
  ["zero", 0],
  ["negative", -1],
  ["negative zero", -0],
  ["fractional", 1.5],
  ["tiny", 0.001],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["beyond the safe integers", 2 ** 53]
] as const

describe("durations", () => {
  it.each(invalidDurations)("refuses %s as expiresInSeconds or sessionMaxDurationInSeconds", (_label, seconds) => {
    expect(Either.isLeft(encodeEither({ ...minimal, expiresInSeconds: seconds }))).toBe(true)
    expect(Either.isLeft(encodeEither({ ...minimal, sessionMaxDurationInSeconds: seconds }))).toBe(true)
    const body = { user_id: userId, actor: { sub: "user_support_42" } }
    expect(Either.isLeft(Schema.decodeUnknownEither(Params)({ ...body, expires_in_seconds: seconds }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(Params)({ ...body, session_max_duration_in_seconds: seconds })))
      .toBe(true)
  })

  it("refuses durations given as strings", () => {
    const body = { user_id: userId, actor: { sub: "user_support_42" } }
    expect(Either.isLeft(Schema.decodeUnknownEither(Params)({ ...body, expires_in_seconds: "3600" }))).toBe(true)
  })

  it.prop("refuses every non-positive integer", [FastCheck.integer({ max: 0 })], ([seconds]) => {
    expect(Either.isLeft(encodeEither({ ...minimal, expiresInSeconds: seconds }))).toBe(true)
    expect(Either.isLeft(encodeEither({ ...minimal, sessionMaxDurationInSeconds: seconds }))).toBe(true)
  })

  it.prop(
    "refuses every non-integer",
    [FastCheck.double({ noNaN: true }).filter((n) => !Number.isInteger(n))],
    ([seconds]) => {
      expect(Either.isLeft(encodeEither({ ...minimal, expiresInSeconds: seconds }))).toBe(true)
      expect(Either.isLeft(encodeEither({ ...minimal, sessionMaxDurationInSeconds: seconds }))).toBe(true)
    }
  )

  it.prop("accepts every positive safe integer", [FastCheck.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })], (
    [seconds]
  ) => {
    const body = encode({ ...minimal, expiresInSeconds: seconds, sessionMaxDurationInSeconds: seconds })
    expect(body.expires_in_seconds).toBe(seconds)
    expect(body.session_max_duration_in_seconds).toBe(seconds)
    expect(validateCreateBody(body)).toEqual([])
  })
})

const notJson = [
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["a function", () => "x"],
  ["a bigint", 10n],
  ["undefined", undefined],
  ["a symbol", Symbol("x")]
] as const

describe("actor claims", () => {
  it.each(notJson)("refuses %s, at the top level of the actor and nested", (_label, value) => {
    const bad = value as unknown as null
    const actors = [
      { sub: "user_1", claim: bad },
      { sub: "user_1", deep: { claim: bad } },
      { sub: "user_1", list: [1, bad] }
    ]
    for (const actor of actors) {
      expect(Either.isLeft(encodeEither({ ...minimal, actor }))).toBe(true)
      expect(Either.isLeft(Schema.decodeUnknownEither(Params)({ user_id: userId, actor }))).toBe(true)
    }
  })

  it.each([["missing", {}], ["empty", { sub: "" }], ["not a string", { sub: 1 }]])(
    "refuses an actor whose sub is %s",
    (_label, actor) => {
      const params = { ...minimal, actor: actor as ActorToken.CreateActorTokenParams["actor"] }
      expect(Either.isLeft(encodeEither(params))).toBe(true)
    }
  )

  it.each([["a slash", "user_1/x"], ["a query", "user_1?x=1"], ["nothing", ""]])(
    "refuses a user id with %s",
    (_label, id) => {
      expect(Either.isLeft(encodeEither({ ...minimal, userId: id as Ids.UserId }))).toBe(true)
    }
  )
})

describe("decoding a create body", () => {
  it("refuses camelCase keys where the wire has snake_case", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(Params)({ userId, actor: { sub: "user_1" } }))).toBe(true)
  })

  it.prop("accepts the bodies of arbitrary params, unchanged through JSON", [arbitraryParams], ([params]) => {
    const wire = overTheWire(encode(params))
    expect(validateCreateBody(wire)).toEqual([])
    const decoded = decode(wire)
    expect(decoded.userId).toBe(params.userId)
    expect(decoded.expiresInSeconds).toBe(params.expiresInSeconds)
    expect(decoded.sessionMaxDurationInSeconds).toBe(params.sessionMaxDurationInSeconds)
    expect(decoded.actor.sub).toBe(params.actor.sub)
  })
})
