// The verifier against the session tokens the emulator mints, through the real client and the real routes: the
// whole receiving side of an impersonation with no Clerk account, in memory and on the TestClock.
import { ActorTokens, Impersonations, Sessions } from "@effect-clerk/client"
import { SessionClaims } from "@effect-clerk/schema"
import { Emulator, TestClerk } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, TestClock } from "effect"
import * as SessionToken from "../src/SessionToken.js"

const actor = { sub: "user_support_42", reason: "ticket #1234", nested: { level: 2, tags: ["a", "b"] } }

/** An accepted impersonation of `user_1`: the session it started, and a token the emulator minted for it (`Redacted`). */
const impersonation = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  const token = yield* ActorTokens.create({ userId: "user_1", actor })
  yield* emulator.accept(token.id)
  const [session] = yield* Impersonations.active({ userId: "user_1" })
  const jwt = yield* Sessions.createToken(session!.id)
  return { emulator, session: session!, jwt }
})

/** The verifier with the secretKey source: the key set fetched from the emulator's `GET /v1/jwks`, in memory. */
const fromBackendApi = SessionToken.layer({
  secretKey: Emulator.defaultSecretKey,
  apiUrl: Emulator.defaultBaseUrl,
  issuer: Emulator.defaultBaseUrl
}).pipe(Layer.provide(TestClerk.layerHttpClient))

/** The refusal's reason; a layer that failed to build says so instead. */
const reasonOf = (error: SessionToken.SessionTokenError | SessionToken.SessionTokenConfigError): string =>
  error._tag === "SessionTokenError" ? error.reason : `${error._tag}: ${error.option}`

describe("the verifier against the emulator's session tokens", () => {
  it.effect("secretKey source: the token of an accepted impersonation verifies, with the actor verbatim", () =>
    Effect.gen(function*() {
      const { jwt, session } = yield* impersonation
      const claims = yield* SessionToken.verify(jwt).pipe(Effect.provide(fromBackendApi))
      expect(claims.userId).toBe("user_1")
      expect(claims.sessionId).toBe(session.id)
      expect(claims.actor).toEqual(Option.some(actor))
      expect(SessionClaims.isImpersonated(claims)).toBe(true)
      expect(claims.status).toBe("active")
    }).pipe(Effect.provide(TestClerk.layer())))

  it.effect("jwtKey source: the emulator's PEM verifies the same token; another issuer is refused", () =>
    Effect.gen(function*() {
      const { emulator, jwt } = yield* impersonation
      const jwtKey = yield* emulator.publicKeyPem
      const claims = yield* SessionToken.verify(jwt).pipe(
        Effect.provide(SessionToken.layer({ jwtKey, issuer: Emulator.defaultBaseUrl }))
      )
      expect(Option.map(claims.actor, (act) => act.sub)).toEqual(Option.some("user_support_42"))
      const refused = yield* SessionToken.verify(jwt).pipe(
        Effect.provide(SessionToken.layer({ jwtKey, issuer: "https://clerk.example.com" })),
        Effect.flip
      )
      expect(reasonOf(refused)).toBe("token-invalid-issuer")
    }).pipe(Effect.provide(TestClerk.layer())))

  it.effect("a user's own session is not an impersonation; a minted token expires on the Clock", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const own = yield* emulator.seedSession({ userId: "user_2" })
      const jwt = yield* Sessions.createToken(own.id, { expiresInSeconds: 30 })
      const verify = SessionToken.verify(jwt).pipe(Effect.provide(fromBackendApi))
      const claims = yield* verify
      expect(claims.actor).toEqual(Option.none())
      expect(SessionClaims.isImpersonated(claims)).toBe(false)
      // Past `exp` and the default 5 s skew.
      yield* TestClock.adjust("36 seconds")
      expect(reasonOf(yield* Effect.flip(verify))).toBe("token-expired")
    }).pipe(Effect.provide(TestClerk.layer())))

  it.effect("a token of a key the emulator does not publish is refused, and never quoted", () =>
    Effect.gen(function*() {
      const { jwt } = yield* impersonation
      const other = yield* Emulator.generateSigningKey()
      const foreign = yield* Emulator.make({ signingKey: other }).pipe(Effect.flatMap((e) => e.publicKeyPem))
      const error = yield* SessionToken.verify(jwt).pipe(
        Effect.provide(SessionToken.layer({ jwtKey: foreign })),
        Effect.flip
      )
      expect(reasonOf(error)).toBe("token-invalid-signature")
      const [, payload, signature] = Redacted.value(jwt).split(".")
      expect(JSON.stringify(error)).not.toContain(signature!)
      expect(String(error)).not.toContain(payload!)
    }).pipe(Effect.scoped, Effect.provide(TestClerk.layer())))
})
