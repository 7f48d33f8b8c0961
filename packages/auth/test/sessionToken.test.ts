import { SessionToken } from "@effect-clerk/auth"
import { SessionClaims } from "@effect-clerk/schema"
import { Observe } from "@effect-clerk/test-kit"
import { HttpClient, HttpClientError } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, DateTime, Effect, Exit, Layer, Option, Redacted, TestClock } from "effect"
import { createHmac, generateKeyPairSync } from "node:crypto"
import {
  atNow,
  base64url,
  issuer,
  makeKey,
  nowSeconds,
  origin,
  publishableKey,
  sessionHeader,
  signWith,
  token,
  validClaims
} from "./utils/tokens.js"

const key = makeKey("ins_test_1")
const otherKey = makeKey("ins_test_1")

const failingHttpClient = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) =>
    Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "no network in tests" }))
  )
)

/** Verifies with a verifier built from `options`; the outcome as an `Exit`, never a thrown defect. */
const verifyWith = (
  options: SessionToken.Options.JwtKey | SessionToken.Options.Jwks,
  input: string | Redacted.Redacted<string>
) => SessionToken.verify(input).pipe(Effect.provide(SessionToken.layer(options)), Effect.exit)

/** The reason a verification failed with; fails the test on a success or a defect. */
const reasonOf = (
  exit: Exit.Exit<SessionClaims.SessionClaims, unknown>
): string => {
  if (Exit.isSuccess(exit)) return assert.fail("expected a refusal, got claims")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  const error = failure.value
  if (!(error instanceof SessionToken.SessionTokenError)) {
    return assert.fail(`expected a SessionTokenError, got ${error}`)
  }
  return error.reason
}

/** Asserts the error holds no part of the token: not in its message, its string form nor its JSON. */
const expectNoSecret = (
  exit: Exit.Exit<SessionClaims.SessionClaims, SessionToken.SessionTokenError | SessionToken.SessionTokenConfigError>,
  token: string
): void => {
  if (Exit.isSuccess(exit)) return
  const rendered = [
    Cause.pretty(exit.cause),
    ...Option.toArray(Cause.failureOption(exit.cause)).flatMap((error) => [
      error.message,
      String(error),
      JSON.stringify(error)
    ])
  ].join("\n")
  for (const part of [token, ...token.split(".")].filter((part) => part.length >= 8)) {
    expect(rendered).not.toContain(part)
  }
  expect(rendered).not.toContain(key.pem.split("\n")[1])
}

// The header of a JWT as long as `depth` nested arrays: a JSON bomb that stays under the length bound.
const headerBomb = (depth: number): string => `{"alg":"RS256","x":${"[".repeat(depth)}${"]".repeat(depth)}}`

const hs256WithPublicKey = (): string => {
  const input = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(validClaims())}`
  return `${input}.${createHmac("sha256", key.pem).update(input).digest("base64url")}`
}

const tamperPayload = (signed: string): string => {
  const [header, , signature] = signed.split(".")
  return `${header}.${base64url(validClaims({ sub: "user_attacker" }))}.${signature}`
}

/** Every adversarial input, the reason it is refused with. */
const adversarial: ReadonlyArray<readonly [string, () => string, SessionToken.Reason]> = [
  ["an empty string", () => "", "token-missing"],
  ["whitespace", () => " \t\n ", "token-missing"],
  ["1 MB of base64url", () => "a".repeat(1024 * 1024), "token-invalid"],
  [
    "a 1 MB token of three segments",
    () => `${"a".repeat(400_000)}.${"b".repeat(400_000)}.${"c".repeat(300_000)}`,
    "token-invalid"
  ],
  ["a token just over the 16 KiB bound", () => `${token(key)}.`.padEnd(16 * 1024 + 1, "a"), "token-invalid"],
  ["bad base64 characters", () => token(key).replace(/^./, "*"), "token-invalid"],
  ["a standard-base64 '+' in a segment", () => `${token(key).slice(0, -2)}+/`, "token-invalid"],
  [
    "a segment of impossible base64 length",
    () => `${base64url({ alg: "RS256" })}.${base64url(validClaims())}.a`,
    "token-invalid"
  ],
  ["two segments", () => token(key).split(".").slice(0, 2).join("."), "token-invalid"],
  ["four segments", () => `${token(key)}.${base64url("x")}`, "token-invalid"],
  ["an empty segment", () => `${base64url({ alg: "RS256" })}..${base64url("sig")}`, "token-invalid"],
  [
    "a header that is not JSON",
    () => `${base64url("not json")}.${base64url(validClaims())}.${base64url("sig")}`,
    "token-invalid"
  ],
  [
    "a header that is a JSON array",
    () => `${base64url([1])}.${base64url(validClaims())}.${base64url("sig")}`,
    "token-invalid"
  ],
  [
    // Parsed well within the bound, then refused by its signature.
    "a header JSON bomb",
    () => `${base64url(headerBomb(5000))}.${base64url(validClaims())}.${base64url("sig")}`,
    "token-invalid-signature"
  ],
  [
    "an unclosed header JSON bomb",
    () => `${base64url(`{"alg":"RS256","x":${"[".repeat(12_000)}`)}.${base64url({})}.`,
    "token-invalid"
  ],
  [
    "a JSON bomb as the alg",
    () => `${base64url(`{"alg":${"[".repeat(5000)}${"]".repeat(5000)}}`)}.${base64url({})}.`,
    "token-invalid-algorithm"
  ],
  [
    "alg: none",
    () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url(validClaims())}.`,
    "token-invalid-algorithm"
  ],
  ["no alg", () => signWith(key.privateKey, { typ: "JWT", kid: key.kid }, validClaims()), "token-invalid-algorithm"],
  ["alg: HS256 with the public key as the HMAC secret", hs256WithPublicKey, "token-invalid-algorithm"],
  ["alg: RS512", () => token(key, {}, { alg: "RS512" }), "token-invalid-algorithm"],
  ["alg: rs256 (case)", () => token(key, {}, { alg: "rs256" }), "token-invalid-algorithm"],
  ["a critical header extension", () => token(key, {}, { crit: ["b64"], b64: false }), "token-invalid"],
  ["a numeric kid", () => token(key, {}, { kid: 42 }), "token-invalid"],
  ["the signature of another key", () => token(otherKey), "token-invalid-signature"],
  ["a payload tampered after signing", () => tamperPayload(token(key)), "token-invalid-signature"],
  ["an empty signature", () => token(key).replace(/\.[^.]*$/, "."), "token-invalid-signature"],
  ["a truncated signature", () => token(key).slice(0, -8), "token-invalid-signature"],
  ["a header changed after signing", () => {
    const [, payload, signature] = token(key).split(".")
    return `${base64url(sessionHeader(key, { kid: "other" }))}.${payload}.${signature}`
  }, "token-invalid-signature"],
  ["a signed payload that is not JSON", () => signWith(key.privateKey, sessionHeader(key), "{"), "token-invalid"],
  [
    "a signed payload that is a JSON string",
    () => signWith(key.privateKey, sessionHeader(key), "\"x\""),
    "token-invalid"
  ],
  ["a signed payload without sid", () => token(key, { sid: undefined }), "token-invalid"],
  ["a signed payload without sub", () => token(key, { sub: undefined }), "token-invalid"],
  ["a signed payload with exp as a string", () => token(key, { exp: String(nowSeconds + 60) }), "token-invalid"],
  ["a signed payload with an exp no date holds", () => token(key, { exp: 1e300 }), "token-invalid"],
  ["a signed payload with a malformed act", () => token(key, { act: { sub: "" } }), "token-invalid"],
  ["a signed payload with an unknown sts", () => token(key, { sts: "revoked" }), "token-invalid"],
  ["a machine token's category", () => token(key, {}, { cat: "cl_B7d4PD333AAA" }), "token-type-mismatch"],
  ["an access token's typ", () => token(key, {}, { typ: "at+jwt" }), "token-type-mismatch"],
  ["a machine subject", () => token(key, { sub: "mch_2abc", sid: undefined }), "token-type-mismatch"],
  ["an expired token", () => token(key, { exp: nowSeconds - 6, iat: nowSeconds - 66 }), "token-expired"],
  ["a token not active yet", () => token(key, { nbf: nowSeconds + 6 }), "token-not-active-yet"],
  [
    "a token issued in the future",
    () => token(key, { iat: nowSeconds + 6, nbf: undefined }),
    "token-iat-in-the-future"
  ],
  ["a pending session", () => token(key, { sts: "pending" }), "session-pending"]
]

describe.each(["node:crypto", "jose"] as const)("SessionToken.verify (crypto: %s)", (crypto) => {
  const options: SessionToken.Options.JwtKey = { jwtKey: key.pem, crypto }

  it.effect("answers the claims of a valid session token", () =>
    Effect.gen(function*() {
      yield* atNow()
      const claims = yield* SessionToken.verify(token(key, { o: { id: "org_1", rol: "admin" } })).pipe(
        Effect.provide(SessionToken.layer(options))
      )
      expect(claims.userId).toBe("user_2xyz")
      expect(claims.sessionId).toBe("sess_2abc")
      expect(claims.actor).toEqual(Option.none())
      expect(claims.orgId).toEqual(Option.some("org_1"))
      expect(claims.status).toBe("active")
      expect(DateTime.toEpochMillis(claims.issuedAt)).toBe(nowSeconds * 1000)
      expect(DateTime.toEpochMillis(claims.expiresAt)).toBe((nowSeconds + 60) * 1000)
      expect(claims.claims).toEqual(validClaims({ o: { id: "org_1", rol: "admin" } }))
    }))

  it.effect("keeps the act claim verbatim: an impersonation, and an agent", () =>
    Effect.gen(function*() {
      yield* atNow()
      const act = { sub: "user_support_42", iss: "https://dashboard.clerk.com", sid: "sess_x", reason: { ticket: 7 } }
      const layer = SessionToken.layer(options)
      const impersonated = yield* SessionToken.verify(token(key, { act })).pipe(Effect.provide(layer))
      expect(impersonated.actor).toEqual(Option.some(act))
      expect(SessionClaims.isImpersonated(impersonated)).toBe(true)
      const agent = yield* SessionToken.verify(token(key, { act: { sub: "agent_1", type: "agent" } })).pipe(
        Effect.provide(layer)
      )
      expect(SessionClaims.isAgent(agent)).toBe(true)
      expect(SessionClaims.isImpersonated(agent)).toBe(false)
    }))

  it.effect("accepts the token as a Redacted, a token without typ, cat, kid or nbf, and a v1 token", () =>
    Effect.gen(function*() {
      yield* atNow()
      const layer = SessionToken.layer(options)
      const bare = signWith(key.privateKey, { alg: "RS256" }, validClaims({ nbf: undefined }))
      const v1 = token(key, { v: undefined, org_id: "org_v1" })
      yield* SessionToken.verify(Redacted.make(token(key))).pipe(Effect.provide(layer))
      yield* SessionToken.verify(bare).pipe(Effect.provide(layer))
      const claims = yield* SessionToken.verify(v1).pipe(Effect.provide(layer))
      expect(claims.orgId).toEqual(Option.some("org_v1"))
      expect(claims.status).toBe("active")
    }))

  for (const [label, make, reason] of adversarial) {
    it.effect(`refuses ${label}: ${reason}, quickly, with no part of the token in the error`, () =>
      Effect.gen(function*() {
        yield* atNow()
        const input = make()
        const started = performance.now()
        const exit = yield* verifyWith(options, input)
        expect(performance.now() - started).toBeLessThan(1000)
        expect(reasonOf(exit)).toBe(reason)
        expectNoSecret(exit, input)
      }))
  }

  it.effect("refuses the same inputs given as a Redacted", () =>
    Effect.gen(function*() {
      yield* atNow()
      for (const [, make, reason] of adversarial) {
        expect(reasonOf(yield* verifyWith(options, Redacted.make(make())))).toBe(reason)
      }
    }))

  it.effect("refuses what is not a string at all as token-missing", () =>
    Effect.gen(function*() {
      for (const input of [undefined, null, 42, {}]) {
        expect(reasonOf(yield* verifyWith(options, input as string))).toBe("token-missing")
      }
    }))

  it.effect("reads exp, nbf and iat on the TestClock, within the clock skew", () =>
    Effect.gen(function*() {
      const signed = token(key, { iat: nowSeconds, nbf: nowSeconds - 10, exp: nowSeconds + 60 })
      yield* atNow((60 + 5) * 1000 - 1)
      expect(Exit.isSuccess(yield* verifyWith(options, signed))).toBe(true)
      yield* atNow((60 + 5) * 1000)
      expect(reasonOf(yield* verifyWith(options, signed))).toBe("token-expired")
      yield* atNow(-5_000)
      expect(Exit.isSuccess(yield* verifyWith(options, signed))).toBe(true)
      yield* atNow(-5_001)
      expect(reasonOf(yield* verifyWith(options, signed))).toBe("token-iat-in-the-future")
      yield* atNow(-15_001)
      expect(reasonOf(yield* verifyWith(options, signed))).toBe("token-not-active-yet")
    }))

  it.effect("with clockSkew 0, one millisecond decides", () =>
    Effect.gen(function*() {
      const strict = { ...options, clockSkew: 0 }
      const signed = token(key, { iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + 60 })
      yield* atNow(60_000 - 1)
      expect(Exit.isSuccess(yield* verifyWith(strict, signed))).toBe(true)
      yield* atNow(60_000)
      expect(reasonOf(yield* verifyWith(strict, signed))).toBe("token-expired")
      yield* atNow(-1)
      expect(reasonOf(yield* verifyWith(strict, signed))).toBe("token-not-active-yet")
      yield* atNow(0)
      expect(Exit.isSuccess(yield* verifyWith(strict, signed))).toBe(true)
    }))

  it.effect("reads the time when verifying, not when the layer was built", () =>
    Effect.gen(function*() {
      yield* atNow()
      const verifier = yield* SessionToken.make(options)
      const signed = token(key)
      yield* Effect.exit(verifier.verify(signed)).pipe(Effect.map((exit) => expect(Exit.isSuccess(exit)).toBe(true)))
      yield* TestClock.adjust("66 seconds")
      const exit = yield* Effect.exit(verifier.verify(signed))
      expect(reasonOf(exit)).toBe("token-expired")
    }))

  it.effect("checks iss against a string, a list, a predicate or the publishable key's Frontend API", () =>
    Effect.gen(function*() {
      yield* atNow()
      const signed = token(key)
      const elsewhere = token(key, { iss: "https://evil.example.com" })
      const missing = token(key, { iss: undefined })
      for (
        const rule of [
          { issuer },
          { issuer: ["https://other.example.com", issuer] },
          { issuer: (iss: string) => iss === issuer },
          { publishableKey },
          { publishableKey: `pk_live_${Buffer.from("clerk.example.com$").toString("base64url")}` }
        ]
      ) {
        expect(Exit.isSuccess(yield* verifyWith({ ...options, ...rule }, signed))).toBe(true)
        expect(reasonOf(yield* verifyWith({ ...options, ...rule }, elsewhere))).toBe("token-invalid-issuer")
        expect(reasonOf(yield* verifyWith({ ...options, ...rule }, missing))).toBe("token-invalid-issuer")
      }
      // Without an issuer rule, any issuer is accepted; an explicit issuer wins over the publishable key's.
      expect(Exit.isSuccess(yield* verifyWith(options, elsewhere))).toBe(true)
      const both = { ...options, publishableKey, issuer: "https://evil.example.com" }
      expect(Exit.isSuccess(yield* verifyWith(both, elsewhere))).toBe(true)
      // A predicate that throws refuses, it does not crash the verification.
      const throwing = {
        ...options,
        issuer: () => {
          throw new Error("boom")
        }
      }
      expect(reasonOf(yield* verifyWith(throwing, signed))).toBe("token-invalid-issuer")
    }))

  it.effect("checks azp against the authorized parties; a token without azp passes", () =>
    Effect.gen(function*() {
      yield* atNow()
      const rule = { ...options, authorizedParties: ["https://admin.example.com", origin] }
      expect(Exit.isSuccess(yield* verifyWith(rule, token(key)))).toBe(true)
      expect(Exit.isSuccess(yield* verifyWith(rule, token(key, { azp: undefined })))).toBe(true)
      const foreign = token(key, { azp: "https://evil.example.com" })
      expect(reasonOf(yield* verifyWith(rule, foreign))).toBe("token-invalid-authorized-parties")
      expect(Exit.isSuccess(yield* verifyWith(options, foreign))).toBe(true)
    }))

  it.effect("accepts a pending session only with acceptPending", () =>
    Effect.gen(function*() {
      yield* atNow()
      const pending = token(key, { sts: "pending" })
      expect(reasonOf(yield* verifyWith(options, pending))).toBe("session-pending")
      const exit = yield* verifyWith({ ...options, acceptPending: true }, pending)
      assert(Exit.isSuccess(exit))
      expect(exit.value.status).toBe("pending")
      expect(Exit.isSuccess(yield* verifyWith(options, token(key, { sts: "active" })))).toBe(true)
    }))

  it.effect("checks the signature before any claim: an expired, foreign-issuer token of another key is a bad signature", () =>
    Effect.gen(function*() {
      yield* atNow()
      const forged = token(otherKey, { exp: 1, iat: 0, iss: "x", azp: "y", sts: "pending", sid: undefined })
      const rule = { ...options, issuer, authorizedParties: [origin] }
      expect(reasonOf(yield* verifyWith(rule, forged))).toBe("token-invalid-signature")
      const machine = token(otherKey, {}, { cat: "cl_B7d4PD333AAA" })
      expect(reasonOf(yield* verifyWith(rule, machine))).toBe("token-invalid-signature")
    }))

  it.effect("logs nothing and leaves no token, key or signature in any span", () =>
    Effect.gen(function*() {
      yield* atNow()
      const inputs = adversarial.map(([, make]) => make()).concat([token(key)])
      const captured = yield* Effect.gen(function*() {
        for (const input of inputs) {
          yield* SessionToken.verify(input).pipe(Effect.exit, Effect.withSpan("request"))
        }
        return yield* Observe.Captured
      }).pipe(Effect.provide(Layer.merge(SessionToken.layer(options), Observe.layer)))
      expect(yield* captured.logs).toEqual([])
      const text = yield* captured.text
      for (const input of inputs) {
        for (const part of input.split(".").filter((part) => part.length >= 8)) expect(text).not.toContain(part)
      }
    }))
})

describe("SessionToken.layer options", () => {
  const configErrorOf = (options: unknown) =>
    SessionToken.make(options as SessionToken.Options.JwtKey).pipe(
      Effect.flip,
      Effect.map((error) => {
        expect(error).toBeInstanceOf(SessionToken.SessionTokenConfigError)
        return error.option
      })
    )

  it.effect("a bad option fails the layer with a configuration error naming it", () =>
    Effect.gen(function*() {
      const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" })
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{}, "jwtKey | jwks | secretKey"],
        [{ jwtKey: key.pem, secretKey: "sk_test_x" }, "jwtKey | secretKey"],
        [{ jwtKey: key.pem, jwks: { keys: [key.jwk] } }, "jwtKey | jwks"],
        [{ jwtKey: "not a key" }, "jwtKey"],
        [{ jwtKey: "" }, "jwtKey"],
        [{ jwtKey: 42 }, "jwtKey"],
        [{ jwtKey: `-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----` }, "jwtKey"],
        [{ jwtKey: ecKey }, "jwtKey"],
        [{ jwtKey: ecKey, crypto: "jose" }, "jwtKey"],
        [{ jwks: { keys: [] } }, "jwks"],
        [{ jwks: { keys: [{ kty: "EC", kid: "x" }] } }, "jwks"],
        [{ jwks: [key.jwk] }, "jwks"],
        [{ jwks: "x" }, "jwks"],
        [{ secretKey: "" }, "secretKey"],
        [{ secretKey: Redacted.make("  ") }, "secretKey"],
        [{ secretKey: "sk_test_x", apiUrl: "not a url" }, "apiUrl"],
        [{ secretKey: "sk_test_x", apiUrl: "ftp://api.clerk.com" }, "apiUrl"],
        [{ jwtKey: key.pem, issuer: "" }, "issuer"],
        [{ jwtKey: key.pem, issuer: [] }, "issuer"],
        [{ jwtKey: key.pem, issuer: [""] }, "issuer"],
        [{ jwtKey: key.pem, issuer: 42 }, "issuer"],
        [{ jwtKey: key.pem, publishableKey: "pk_test_" }, "publishableKey"],
        [{ jwtKey: key.pem, publishableKey: "sk_test_Y2xlcmsuZXhhbXBsZS5jb20k" }, "publishableKey"],
        [
          { jwtKey: key.pem, publishableKey: `pk_test_${Buffer.from("clerk.example.com").toString("base64")}` },
          "publishableKey"
        ],
        [{ jwtKey: key.pem, publishableKey: `pk_test_${Buffer.from("a/b$").toString("base64")}` }, "publishableKey"],
        [{ jwtKey: key.pem, publishableKey: "pk_test_!!!" }, "publishableKey"],
        [{ jwtKey: key.pem, authorizedParties: [] }, "authorizedParties"],
        [{ jwtKey: key.pem, authorizedParties: [""] }, "authorizedParties"],
        [{ jwtKey: key.pem, authorizedParties: origin }, "authorizedParties"],
        [{ jwtKey: key.pem, clockSkew: -1 }, "clockSkew"],
        [{ jwtKey: key.pem, clockSkew: Number.NaN }, "clockSkew"],
        [{ jwtKey: key.pem, clockSkew: "-5 seconds" }, "clockSkew"],
        [{ jwtKey: key.pem, clockSkew: "soon" }, "clockSkew"],
        [{ jwtKey: key.pem, clockSkew: Number.POSITIVE_INFINITY }, "clockSkew"],
        [{ jwtKey: key.pem, acceptPending: "yes" }, "acceptPending"],
        [{ jwtKey: key.pem, crypto: "openssl" }, "crypto"]
      ]
      for (const [options, option] of cases) {
        expect([options, yield* configErrorOf(options)]).toEqual([options, option])
      }
    }))

  it.effect("the configuration error never holds the key", () =>
    Effect.gen(function*() {
      const secret = "sk_test_very_secret_value"
      const error = yield* Effect.flip(SessionToken.make({ secretKey: secret, apiUrl: "nope" } as never))
      expect(`${error.message} ${String(error)} ${JSON.stringify(error)}`).not.toContain(secret)
    }))

  it.effect("takes the PEM as pasted: with its line breaks, on one line, with \\n escapes, as a Redacted", () =>
    Effect.gen(function*() {
      yield* atNow()
      const body = key.pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "").trim()
      for (
        const jwtKey of [
          key.pem,
          key.pem.replace(/\n/g, ""),
          key.pem.replace(/\n/g, "\\n"),
          body.replace(/\n/g, ""),
          Redacted.make(key.pem)
        ]
      ) {
        expect(Exit.isSuccess(yield* verifyWith({ jwtKey }, token(key)))).toBe(true)
      }
    }))

  it.effect("accepts clockSkew as any Duration input", () =>
    Effect.gen(function*() {
      const signed = token(key)
      yield* atNow(65_000 + 4_000)
      expect(reasonOf(yield* verifyWith({ jwtKey: key.pem }, signed))).toBe("token-expired")
      expect(Exit.isSuccess(yield* verifyWith({ jwtKey: key.pem, clockSkew: "10 seconds" }, signed))).toBe(true)
      expect(Exit.isSuccess(yield* verifyWith({ jwtKey: key.pem, clockSkew: 10_000 }, signed))).toBe(true)
    }))

  it("types: jwtKey and jwks need nothing, secretKey needs an HttpClient", () => {
    const fromPem: Layer.Layer<SessionToken.Verifier, SessionToken.SessionTokenConfigError> = SessionToken.layer({
      jwtKey: key.pem
    })
    const fromJwks: Layer.Layer<SessionToken.Verifier, SessionToken.SessionTokenConfigError> = SessionToken.layer({
      jwks: { keys: [key.jwk] }
    })
    // @ts-expect-error the secretKey source reads the HttpClient in context
    const fromApi: Layer.Layer<SessionToken.Verifier, SessionToken.SessionTokenConfigError> = SessionToken.layer({
      secretKey: "sk_test_x"
    })
    expect([fromPem, fromJwks, fromApi].every(Layer.isLayer)).toBe(true)
  })
})

describe("SessionToken.layerConfig", () => {
  const withEnv = (env: Record<string, string>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("reads CLERK_JWT_KEY and CLERK_PUBLISHABLE_KEY", () =>
    Effect.gen(function*() {
      yield* atNow()
      const layer = SessionToken.layerConfig().pipe(
        Layer.provide(withEnv({ CLERK_JWT_KEY: key.pem, CLERK_PUBLISHABLE_KEY: publishableKey })),
        // No request is ever made with a PEM key: an HttpClient that fails proves it.
        Layer.provide(failingHttpClient)
      )
      const verify = (input: string) => SessionToken.verify(input).pipe(Effect.provide(layer), Effect.exit)
      expect(Exit.isSuccess(yield* verify(token(key)))).toBe(true)
      expect(reasonOf(yield* verify(token(key, { iss: "https://evil.example.com" })))).toBe("token-invalid-issuer")
    }))

  it.effect("passes its options through, and fails naming CLERK_SECRET_KEY when no key is set", () =>
    Effect.gen(function*() {
      yield* atNow()
      const layer = SessionToken.layerConfig({ authorizedParties: ["https://admin.example.com"] }).pipe(
        Layer.provide(withEnv({ CLERK_JWT_KEY: key.pem })),
        Layer.provide(failingHttpClient)
      )
      expect(reasonOf(yield* SessionToken.verify(token(key)).pipe(Effect.provide(layer), Effect.exit))).toBe(
        "token-invalid-authorized-parties"
      )
      const error = yield* SessionToken.verify(token(key)).pipe(
        Effect.provide(SessionToken.layerConfig().pipe(Layer.provide(withEnv({})), Layer.provide(failingHttpClient))),
        Effect.flip
      )
      assert(error._tag === "SessionTokenConfigError")
      expect(error.option).toBe("CLERK_SECRET_KEY")
    }))
})
