import { SessionClaims } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, FastCheck, Option, Schema } from "effect"
import { hasProtoKey } from "./utils/arbitraries.js"

const decode = Schema.decodeUnknownEither(SessionClaims.SessionClaims)
const encode = Schema.encodeSync(SessionClaims.SessionClaims)

const id = (prefix: string) => FastCheck.stringMatching(/^[A-Za-z0-9]{1,27}$/).map((rest) => `${prefix}_${rest}`)
const json = FastCheck.jsonValue({ maxDepth: 3 })
const extraKeys = ["fva", "jti", "pla", "fea", "custom", "v"]
const act = FastCheck.record(
  { sub: id("user"), iss: FastCheck.webUrl(), sid: id("sess"), type: FastCheck.constantFrom("agent", "human", "x") },
  { requiredKeys: ["sub"] }
).chain((base) =>
  FastCheck.dictionary(FastCheck.string({ minLength: 1, maxLength: 8 }), json, { maxKeys: 4 }).map((extra) => ({
    ...extra,
    ...base
  }))
)
// Seconds a `Date` holds, fractional ones included (a NumericDate may be fractional).
const seconds = FastCheck.oneof(
  FastCheck.integer({ min: 0, max: 4_000_000_000 }),
  FastCheck.double({ min: -8.64e12, max: 8.64e12, noNaN: true })
)

const payload = FastCheck.record({
  sub: id("user"),
  sid: id("sess"),
  iat: seconds,
  exp: seconds,
  nbf: FastCheck.option(seconds, { nil: undefined }),
  iss: FastCheck.option(FastCheck.webUrl(), { nil: undefined }),
  azp: FastCheck.option(FastCheck.webUrl(), { nil: undefined }),
  sts: FastCheck.option(FastCheck.constantFrom("active" as const, "pending" as const), { nil: undefined }),
  act: FastCheck.option(act, { nil: undefined }),
  o: FastCheck.option(FastCheck.record({ id: id("org"), rol: FastCheck.string(), slg: FastCheck.string() }), {
    nil: undefined
  }),
  org_id: FastCheck.option(id("org"), { nil: undefined }),
  extra: FastCheck.dictionary(FastCheck.constantFrom(...extraKeys), json, { maxKeys: 3 })
}).map(({ extra, ...claims }) => {
  const entries = Object.entries({ ...extra, ...claims }).filter(([, value]) => value !== undefined)
  return Object.fromEntries(entries) as Record<string, unknown> & { readonly sub: string; readonly sid: string }
}).filter((claims) => !hasProtoKey(claims))

describe("SessionClaims.SessionClaims", () => {
  it.prop("decodes any session token payload: ids, actor verbatim, organization, status, times", [payload], ([p]) => {
    const decoded = decode(p)
    expect(Either.isRight(decoded)).toBe(true)
    if (Either.isLeft(decoded)) return
    const claims = decoded.right
    expect(claims.userId).toBe(p.sub)
    expect(claims.sessionId).toBe(p.sid)
    expect(claims.actor).toEqual(Option.fromNullable(p["act"]))
    const org = (p["o"] as { id: string } | undefined)?.id ?? p["org_id"]
    expect(claims.orgId).toEqual(Option.fromNullable(org))
    expect(claims.status).toBe(p["sts"] ?? "active")
    // A `DateTime` holds whole milliseconds, as a `Date` does.
    expect(DateTime.toEpochMillis(claims.issuedAt)).toBe(new Date((p["iat"] as number) * 1000).getTime())
    expect(DateTime.toEpochMillis(claims.expiresAt)).toBe(new Date((p["exp"] as number) * 1000).getTime())
    expect(claims.claims).toEqual(p)
    expect(encode(claims)).toEqual(p)
  })

  it.prop("an act claim makes an impersonation unless its type is agent", [payload, act], ([p, a]) => {
    const withAct = decode({ ...p, act: a })
    const { act: _, ...withoutAct } = p
    const without = decode(withoutAct)
    expect(Either.isRight(withAct) && Either.isRight(without)).toBe(true)
    if (Either.isLeft(withAct) || Either.isLeft(without)) return
    expect(SessionClaims.isAgent(withAct.right)).toBe(a.type === "agent")
    expect(SessionClaims.isImpersonated(withAct.right)).toBe(a.type !== "agent")
    expect(SessionClaims.isAgent(without.right)).toBe(false)
    expect(SessionClaims.isImpersonated(without.right)).toBe(false)
  })

  const broken: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["no sub", { sub: undefined }],
    ["an empty sub", { sub: "" }],
    ["no sid", { sid: undefined }],
    ["a numeric sid", { sid: 1 }],
    ["no exp", { exp: undefined }],
    ["exp as a string", { exp: "1800000000" }],
    ["an infinite exp", { exp: Number.POSITIVE_INFINITY }],
    ["an exp no date holds", { exp: 1e300 }],
    ["an iat no date holds", { iat: -9e12 }],
    ["a NaN nbf", { nbf: Number.NaN }],
    ["an unknown sts", { sts: "revoked" }],
    ["an act without sub", { act: { iss: "x" } }],
    ["an act that is a string", { act: "user_1" }],
    ["an organization without id", { o: { rol: "admin" } }]
  ]

  it.prop("refuses a payload with a missing or malformed claim, never throwing", [
    payload,
    FastCheck.constantFrom(...broken)
  ], ([p, [, change]]) => {
    const input = Object.fromEntries(
      Object.entries({ ...p, ...change }).filter(([k]) => !(k in change) || change[k] !== undefined)
    )
    expect(Either.isLeft(decode(input))).toBe(true)
  })

  it.prop("never throws on any JSON value", [FastCheck.jsonValue()], ([value]) => {
    expect(() => decode(value)).not.toThrow()
  })
})
