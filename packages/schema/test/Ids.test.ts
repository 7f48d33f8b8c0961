import { Ids } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck, Schema } from "effect"

const accepted = [
  "act_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  "a",
  "_",
  "-",
  "A-Z_a-z_0-9",
  "a".repeat(128)
]

const rejected = [
  ["empty", ""],
  ["parent segment", "../x"],
  ["dot segment", ".."],
  ["a slash", "a/b"],
  ["a query", "a?b"],
  ["a fragment", "a#b"],
  ["an escape", "%2e%2e"],
  ["an encoded slash", "a%2Fb"],
  ["a dot", "act.1"],
  ["a latin letter with accent", "act_é"],
  ["a cyrillic look-alike", "аct_1"],
  ["an emoji", "act_😀"],
  ["a space", "act 1"],
  ["leading whitespace", " act_1"],
  ["trailing whitespace", "act_1 "],
  ["a tab", "act\t1"],
  ["a non-breaking space", "act\u00a01"],
  ["CR", "act_1\r"],
  ["LF", "act_1\n"],
  ["CRLF", "act_1\r\nX-Injected: 1"],
  ["a NUL", "act_1\u0000"],
  ["129 characters", "a".repeat(129)],
  ["a plus", "a+b"],
  ["an ampersand", "a&b=c"]
] as const

/** Whether `encodeURIComponent` leaves the string as it is (it throws on a lone surrogate: not safe either). */
const isUriSafe = (candidate: string): boolean => {
  try {
    return encodeURIComponent(candidate) === candidate
  } catch {
    return false
  }
}

function idSuite<A extends string>(name: string, schema: Schema.Schema<A, string>): void {
  describe(name, () => {
    it.each(accepted)("accepts %j", (id) => {
      expect(Schema.decodeUnknownSync(schema)(id)).toBe(id)
      expect(Schema.is(schema)(id)).toBe(true)
    })

    it.each(rejected)("rejects an id with %s", (_label, id) => {
      expect(Either.isLeft(Schema.decodeUnknownEither(schema)(id))).toBe(true)
      expect(Schema.is(schema)(id)).toBe(false)
    })

    it.each([undefined, null, 1, ["act_1"], { id: "act_1" }])("rejects the non-string %j", (input) => {
      expect(Either.isLeft(Schema.decodeUnknownEither(schema)(input))).toBe(true)
    })

    it("refuses to encode a string that is not an id", () => {
      expect(() => Schema.encodeSync(schema)("a/b" as A)).toThrow()
    })

    // Every generated input is checked: accepted ids (from the schema's own arbitrary) must be URL-safe as they are,
    // and any string that `encodeURIComponent` would change (or cannot encode: a lone surrogate) must be rejected.
    it.prop("any accepted id is unchanged by encodeURIComponent", [Arbitrary.make(schema)], ([id]) => {
      expect(Schema.is(schema)(id)).toBe(true)
      expect(encodeURIComponent(id)).toBe(id)
    }, { fastCheck: { numRuns: 200 } })

    const notUriSafe = FastCheck.oneof(
      FastCheck.string({ unit: "binary", maxLength: 140 }),
      FastCheck.stringMatching(/^[A-Za-z0-9_\-./?#%&=+:;@!~*'() \r\n\t]{0,140}$/),
      FastCheck.tuple(Arbitrary.make(schema), FastCheck.string({ unit: "binary", minLength: 1, maxLength: 3 })).map(
        ([id, inserted]) => `${id.slice(0, 1)}${inserted}${id.slice(1)}`
      )
    ).filter((candidate) => !isUriSafe(candidate))

    it.prop("any string encodeURIComponent would change is rejected", [notUriSafe], ([candidate]) => {
      expect(Schema.is(schema)(candidate)).toBe(false)
      expect(Either.isLeft(Schema.decodeUnknownEither(schema)(candidate))).toBe(true)
    }, { fastCheck: { numRuns: 300 } })

    it.prop("an accepted id is exactly one path segment of the request URL", [Arbitrary.make(schema)], ([id]) => {
      expect(id.length).toBeGreaterThanOrEqual(1)
      expect(id.length).toBeLessThanOrEqual(128)
      const url = new URL(`https://api.clerk.com/v1/actor_tokens/${id}/revoke`)
      expect(url.pathname).toBe(`/v1/actor_tokens/${id}/revoke`)
      expect(url.search).toBe("")
      expect(url.hash).toBe("")
    })
  })
}

idSuite("Ids.ActorTokenId", Ids.ActorTokenId)
idSuite("Ids.UserId", Ids.UserId)
