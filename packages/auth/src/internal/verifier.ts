import type { SessionClaims } from "@effect-clerk/schema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { Options, Verifier } from "../SessionToken.js"
import { SessionTokenConfigError, SessionTokenError } from "../SessionTokenError.js"
import * as Crypto from "./crypto.js"
import * as Keys from "./keys.js"
import * as InternalOptions from "./options.js"
import * as Token from "./token.js"

const configError = (option: string, message: string): SessionTokenConfigError =>
  new SessionTokenConfigError({ option, message })

const engineOf = (crypto: "node:crypto" | "jose" | undefined): Effect.Effect<Crypto.Engine, SessionTokenConfigError> =>
  crypto === "jose"
    ? Effect.succeed(Crypto.jose)
    : Effect.flatMap(Crypto.loadNode, (node) =>
      node !== undefined
        ? Effect.succeed(node)
        : crypto === "node:crypto"
        ? Effect.fail(configError("crypto", "node:crypto is not available in this runtime"))
        : Effect.succeed(Crypto.jose))

const storeOf = (
  source: InternalOptions.Source,
  engine: Crypto.Engine
): Effect.Effect<Keys.KeyStore, SessionTokenConfigError, HttpClient.HttpClient> => {
  switch (source._tag) {
    case "JwtKey":
      return engine.importPem(source.pem).pipe(
        Effect.mapBoth({
          onFailure: () => configError("jwtKey", "jwtKey is not an RSA public key"),
          onSuccess: Keys.single
        })
      )
    case "Jwks":
      return Keys.importKeySet(engine, source.jwks).pipe(
        Effect.filterOrFail(
          (keys) => keys.byKid.size > 0 || keys.only !== undefined,
          () => "no key"
        ),
        Effect.mapBoth({
          onFailure: () => configError("jwks", "jwks is not a JSON Web Key Set holding an RSA signing key"),
          onSuccess: Keys.fixed
        })
      )
    case "SecretKey":
      return Effect.map(
        HttpClient.HttpClient,
        (client) => Keys.remote({ engine, client, apiUrl: source.apiUrl, secretKey: source.secretKey })
      )
  }
}

const fail = (refusal: Token.Refusal): Effect.Effect<never, SessionTokenError> =>
  Effect.fail(new SessionTokenError({ reason: refusal.reason, message: refusal.message }))

/**
 * Builds the verifier: options checked and the key imported (or the key store set up) once; each verification is
 * then synchronous on `node:crypto` with the key at hand — parse, signature, claims in one step, on the fiber's
 * `Clock` — and only a key that must be fetched, or the jose engine, makes it asynchronous.
 */
export const make = (
  options: Options
): Effect.Effect<Verifier.Service, SessionTokenConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const resolved = yield* InternalOptions.resolve(options)
    const engine = yield* engineOf(resolved.crypto)
    const store = yield* storeOf(resolved.source, engine)
    const rules = resolved.rules

    const finish = (
      parsed: Token.Parsed,
      valid: boolean,
      now: number
    ): Effect.Effect<SessionClaims.SessionClaims, SessionTokenError> => {
      if (!valid) return fail(new Token.Refusal("token-invalid-signature", "The session token's signature is invalid"))
      const kind = Token.checkKind(parsed)
      if (kind !== undefined) return fail(kind)
      const claims = Token.checkClaims(parsed, engine, now, rules)
      return Token.isRefusal(claims) ? fail(claims) : Effect.succeed(claims)
    }

    const withKey = (
      parsed: Token.Parsed,
      key: unknown,
      now: number
    ): Effect.Effect<SessionClaims.SessionClaims, SessionTokenError> => {
      const valid = engine.verify(key, parsed)
      return typeof valid === "boolean"
        ? finish(parsed, valid, now)
        : Effect.flatMap(Effect.promise(() => valid), (ok) =>
          Effect.clockWith((clock) => finish(parsed, ok, clock.unsafeCurrentTimeMillis())))
    }

    const verify = (
      token: string | Redacted.Redacted<string>
    ): Effect.Effect<SessionClaims.SessionClaims, SessionTokenError> =>
      Effect.clockWith((clock) => {
        const raw = typeof token === "string" ? token : Redacted.isRedacted(token) ? Redacted.value(token) : undefined
        if (typeof raw !== "string") {
          return fail(new Token.Refusal("token-missing", "No session token was given"))
        }
        const parsed = Token.parse(raw, engine)
        if (Token.isRefusal(parsed)) {
          return fail(parsed)
        }
        const now = clock.unsafeCurrentTimeMillis()
        const key = store.find(parsed.kid, now)
        if (key instanceof Token.Refusal) {
          return fail(key)
        }
        if (key !== undefined) {
          return withKey(parsed, key, now)
        }
        return Effect.flatMap(
          store.resolve(parsed.kid),
          (resolvedKey) =>
            Effect.clockWith((clock) => withKey(parsed, resolvedKey, clock.unsafeCurrentTimeMillis()))
        )
      })

    return { verify }
  })
