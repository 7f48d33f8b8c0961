import { SessionToken } from "@effect-clerk/auth"
import { SessionClaims } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck, Option, TestClock } from "effect"
import { makeKey, nowSeconds, token } from "./utils/tokens.js"

const key = makeKey("ins_claims")

const verifyAt = (
  millis: number,
  signed: string,
  options: Partial<SessionToken.CommonOptions> = {}
): Effect.Effect<
  Exit.Exit<SessionClaims.SessionClaims, SessionToken.SessionTokenError | SessionToken.SessionTokenConfigError>
> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(millis)
    return yield* SessionToken.verify(signed).pipe(
      Effect.provide(SessionToken.layer({ jwtKey: key.pem, ...options })),
      Effect.exit
    )
  })

const reason = (
  exit: Exit.Exit<unknown, SessionToken.SessionTokenError | SessionToken.SessionTokenConfigError>
): string =>
  Exit.isSuccess(exit) ? "ok" : Option.match(Cause.failureOption(exit.cause), {
    onNone: () => Cause.pretty(exit.cause),
    onSome: (error) => error._tag === "SessionTokenError" ? error.reason : error.option
  })

const skew = FastCheck.integer({ min: 0, max: 60_000 })
// Milliseconds around a boundary, the boundary itself included.
const delta = FastCheck.oneof(FastCheck.integer({ min: -1_500, max: 1_500 }), FastCheck.constantFrom(-1, 0, 1))
const instant = FastCheck.integer({ min: 1_000_000_000, max: 4_000_000_000 })
const fastCheck = { fastCheck: { numRuns: 60 } }

describe("SessionToken claims, as properties", () => {
  it.effect.prop(
    "exp: accepted until exp + skew, refused from then on",
    [instant, skew, delta],
    ([exp, clockSkew, d]) =>
      Effect.gen(function*() {
        const signed = token(key, { exp, iat: exp - 60, nbf: undefined })
        const exit = yield* verifyAt(exp * 1000 + clockSkew + d, signed, { clockSkew })
        expect(reason(exit)).toBe(d >= 0 ? "token-expired" : "ok")
      }),
    fastCheck
  )

  it.effect.prop(
    "nbf: refused before nbf - skew, accepted from then on",
    [instant, skew, delta],
    ([nbf, clockSkew, d]) =>
      Effect.gen(function*() {
        const signed = token(key, { nbf, iat: nbf - 120, exp: nbf + 3600 })
        const exit = yield* verifyAt(nbf * 1000 - clockSkew + d, signed, { clockSkew })
        expect(reason(exit)).toBe(d < 0 ? "token-not-active-yet" : "ok")
      }),
    fastCheck
  )

  it.effect.prop(
    "iat: refused while iat is more than the skew in the future",
    [instant, skew, delta],
    ([iat, clockSkew, d]) =>
      Effect.gen(function*() {
        const signed = token(key, { iat, nbf: undefined, exp: iat + 3600 })
        const exit = yield* verifyAt(iat * 1000 - clockSkew + d, signed, { clockSkew })
        expect(reason(exit)).toBe(d < 0 ? "token-iat-in-the-future" : "ok")
      }),
    fastCheck
  )

  it.effect.prop(
    "the act claim comes back verbatim, and tells an agent from an impersonator",
    [
      FastCheck.record({
        sub: FastCheck.stringMatching(/^user_[A-Za-z0-9]{1,20}$/),
        type: FastCheck.option(FastCheck.constantFrom("agent", "support"), { nil: undefined })
      }).chain((base) =>
        FastCheck.dictionary(
          FastCheck.stringMatching(/^[a-z]{1,8}$/).filter((k) => k !== "sub" && k !== "type"),
          FastCheck.jsonValue({ maxDepth: 3 }),
          { maxKeys: 5 }
        ).map((extra) => JSON.parse(JSON.stringify({ ...extra, ...base })) as { sub: string; type?: string })
      )
    ],
    ([act]) =>
      Effect.gen(function*() {
        const exit = yield* verifyAt(nowSeconds * 1000, token(key, { act }))
        if (Exit.isFailure(exit)) return expect.fail(reason(exit))
        expect(exit.value.actor).toEqual(Option.some(act))
        expect(exit.value.claims["act"]).toEqual(act)
        expect(SessionClaims.isAgent(exit.value)).toBe(act.type === "agent")
        expect(SessionClaims.isImpersonated(exit.value)).toBe(act.type !== "agent")
      }),
    fastCheck
  )

  it.effect.prop(
    "azp: with authorized parties, accepted exactly when it is one of them or absent",
    [
      FastCheck.uniqueArray(FastCheck.webUrl(), { minLength: 1, maxLength: 4 }),
      FastCheck.option(FastCheck.webUrl(), { nil: undefined })
    ],
    ([authorizedParties, azp]) =>
      Effect.gen(function*() {
        const exit = yield* verifyAt(nowSeconds * 1000, token(key, { azp }), { authorizedParties })
        expect(reason(exit)).toBe(
          azp === undefined || authorizedParties.includes(azp) ? "ok" : "token-invalid-authorized-parties"
        )
      }),
    fastCheck
  )
})
