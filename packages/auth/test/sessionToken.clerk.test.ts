/**
 * The verifier against `@clerk/backend`'s `verifyToken(token, { jwtKey })` on the tokens both judge: the same answer,
 * and the same reason string. Both read the real clock here (`@clerk/backend` reads `Date.now()`).
 */
import { verifyToken } from "@clerk/backend"
import { SessionToken } from "@effect-clerk/auth"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { makeKey, signWith, validClaims } from "./utils/tokens.js"

const key = makeKey("ins_clerk")
const otherKey = makeKey("ins_clerk")
const authorizedParties = ["https://app.example.com"]

const clerkReason = (token: string): Promise<string> =>
  verifyToken(token, { jwtKey: key.pem, authorizedParties }).then(
    () => "ok",
    (error: { readonly reason?: string }) => error.reason ?? "thrown"
  )

const ourReason = (token: string) =>
  SessionToken.verify(token).pipe(
    Effect.provide(SessionToken.layer({ jwtKey: key.pem, authorizedParties })),
    Effect.exit,
    Effect.map((exit) =>
      Exit.isSuccess(exit) ? "ok" : Option.match(Cause.failureOption(exit.cause), {
        onNone: () => Cause.pretty(exit.cause),
        onSome: (error) => error._tag === "SessionTokenError" ? error.reason : error.option
      })
    )
  )

describe("SessionToken.verify beside @clerk/backend", () => {
  it.live("gives the same reason on the tokens both check", () =>
    Effect.gen(function*() {
      const now = Math.floor(Date.now() / 1000)
      const header = { alg: "RS256", typ: "JWT", kid: key.kid }
      const claims = (overrides: Record<string, unknown>) =>
        validClaims({ iat: now, nbf: now - 10, exp: now + 60, ...overrides })
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["a valid token", signWith(key.privateKey, header, claims({})), "ok"],
        ["an impersonated session", signWith(key.privateKey, header, claims({ act: { sub: "user_1" } })), "ok"],
        [
          "an expired token",
          signWith(key.privateKey, header, claims({ exp: now - 60, iat: now - 120 })),
          "token-expired"
        ],
        ["a token not active yet", signWith(key.privateKey, header, claims({ nbf: now + 60 })), "token-not-active-yet"],
        [
          "a token from the future",
          signWith(key.privateKey, header, claims({ iat: now + 60, nbf: undefined })),
          "token-iat-in-the-future"
        ],
        ["another key's signature", signWith(otherKey.privateKey, header, claims({})), "token-invalid-signature"],
        [
          "a foreign azp",
          signWith(key.privateKey, header, claims({ azp: "https://evil.example.com" })),
          "token-invalid-authorized-parties"
        ],
        ["alg: HS256", signWith(key.privateKey, { ...header, alg: "HS256" }, claims({})), "token-invalid-algorithm"]
      ]
      for (const [label, token, reason] of cases) {
        const ours = yield* ourReason(token)
        const theirs = yield* Effect.promise(() => clerkReason(token))
        expect({ label, ours, theirs }).toEqual({ label, ours: reason, theirs: reason })
      }
    }))
})
