import { Jwks } from "@effect-clerk/schema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberId from "effect/FiberId"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Jose from "jose"
import { SessionTokenError } from "../SessionTokenError.js"
import type { Engine } from "./crypto.js"
import { Refusal } from "./token.js"

/**
 * Where the verifier finds the key of a token. `find` answers synchronously — the key, a refusal, or `undefined`
 * when only `resolve` (which may fetch) can tell.
 */
export interface KeyStore {
  readonly find: (kid: string | undefined, now: number) => unknown
  readonly resolve: (kid: string | undefined) => Effect.Effect<unknown, SessionTokenError>
}

/** The imported keys of a set: by `kid`, and the only one when the set holds exactly one. */
export interface KeySet {
  readonly byKid: ReadonlyMap<string, unknown>
  readonly only: unknown
}

// A set given as an option is only required to hold keys; the fetched set is decoded with the wire schema first.
const JsonWebKeySet = Schema.Struct({ keys: Schema.Array(Schema.Unknown) })

// The members of a JWK this package reads; a key whose members do not fit is skipped, not the whole set.
const RsaSigningKey = Schema.Struct({
  kty: Schema.Literal("RSA"),
  kid: Schema.optionalWith(Schema.String, { exact: true }),
  alg: Schema.optionalWith(Schema.Literal("RS256"), { exact: true }),
  use: Schema.optionalWith(Schema.Literal("sig"), { exact: true }),
  n: Schema.NonEmptyString,
  e: Schema.NonEmptyString
})

const decodeSet = Schema.decodeUnknownEither(JsonWebKeySet)
const decodeKey = Schema.decodeUnknownEither(RsaSigningKey)

/**
 * Imports the RSA signing keys of a JSON Web Key Set; keys of other types or uses are skipped. Fails when the value
 * is not a key set at all.
 */
export const importKeySet = (engine: Engine, jwks: unknown): Effect.Effect<KeySet, "not a key set"> => {
  const set = decodeSet(jwks)
  if (Either.isLeft(set)) return Effect.fail("not a key set")
  return Effect.forEach(set.right.keys, (entry) => {
    const jwk = decodeKey(entry)
    if (Either.isLeft(jwk)) return Effect.succeed(undefined)
    return engine.importJwk(jwk.right as Jose.JWK).pipe(
      Effect.map((key) => ({ kid: jwk.right.kid, key })),
      Effect.orElseSucceed(() => undefined)
    )
  }).pipe(Effect.map((imported) => {
    const keys = imported.filter((entry) => entry !== undefined)
    const byKid = new Map<string, unknown>()
    for (const { key, kid } of keys) if (kid !== undefined) byKid.set(kid, key)
    return { byKid, only: keys.length === 1 ? keys[0]!.key : undefined }
  }))
}

const lookup = (keys: KeySet, kid: string | undefined): unknown => kid === undefined ? keys.only : keys.byKid.get(kid)

const notFound = (kid: string | undefined): Refusal =>
  kid === undefined
    ? new Refusal("token-invalid", "The session token names no key id (kid) and the key set holds several keys")
    : new Refusal("jwk-kid-mismatch", "No key of the instance has the session token's key id (kid)")

/** One key for every token: the `jwtKey` source, which (like Clerk's SDKs) does not read `kid`. */
export const single = (key: unknown): KeyStore => ({
  find: () => key,
  resolve: () => Effect.succeed(key)
})

/** A fixed key set: the `jwks` source. */
export const fixed = (keys: KeySet): KeyStore => ({
  find: (kid) => lookup(keys, kid) ?? notFound(kid),
  resolve: (kid) => {
    const key = lookup(keys, kid)
    return key === undefined ? Effect.fail(new SessionTokenError(notFound(kid))) : Effect.succeed(key)
  }
})

/** How long fetched keys are used before they are fetched again in the background (Clerk's SDK uses 5 minutes). */
const cacheTtl = Duration.minutes(5)
/** The least time between two fetches, whatever asks for them: unknown `kid`s, failures, expired keys. */
const refetchCooldown = Duration.seconds(5)
/** How long one fetch of the keys may take. */
const fetchTimeout = Duration.seconds(10)

const remoteFailed = (): SessionTokenError =>
  new SessionTokenError({ reason: "jwk-remote-failed-to-load", message: "The instance's keys could not be loaded" })

/**
 * The `secretKey` source: the instance's keys from the Backend API's `GET /v1/jwks`, fetched on first use, kept
 * for {@link cacheTtl} (then refreshed in the background while the old keys keep serving), and fetched again when a
 * token names an unknown `kid` — at most once per {@link refetchCooldown}, one fetch shared by every caller.
 */
export const remote = (options: {
  readonly engine: Engine
  readonly client: HttpClient.HttpClient
  readonly apiUrl: string
  readonly secretKey: Redacted.Redacted<string>
}): KeyStore => {
  const ttl = Duration.toMillis(cacheTtl)
  const cooldown = Duration.toMillis(refetchCooldown)
  const client = options.client.pipe(HttpClient.filterStatusOk, HttpClient.withTracerPropagation(false))
  const request = HttpClientRequest.get(`${options.apiUrl}/v1/jwks`).pipe(
    HttpClientRequest.bearerToken(options.secretKey),
    HttpClientRequest.acceptJson
  )
  const fetchKeys: Effect.Effect<KeySet, SessionTokenError> = client.execute(request).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Jwks.Jwks)),
    Effect.flatMap((jwks) => importKeySet(options.engine, jwks)),
    Effect.timeoutFail({ duration: fetchTimeout, onTimeout: remoteFailed }),
    Effect.catchAllDefect(() => Effect.fail(remoteFailed())),
    Effect.mapError(remoteFailed),
    Effect.withSpan("SessionToken.loadJwks")
  )

  let keys: KeySet | undefined
  let loadedAt = 0
  let attemptedAt: number | undefined
  let inflight: Deferred.Deferred<KeySet, SessionTokenError> | undefined

  // Starts a fetch, or joins the one in flight; the fetch runs in its own fiber, so a caller's interruption never
  // cancels it for the others.
  const refresh = (now: number): Effect.Effect<KeySet, SessionTokenError> => {
    if (inflight !== undefined) return Deferred.await(inflight)
    const deferred = Deferred.unsafeMake<KeySet, SessionTokenError>(FiberId.none)
    inflight = deferred
    attemptedAt = now
    return fetchKeys.pipe(
      Effect.tap((fetched) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            keys = fetched
            loadedAt = clock.unsafeCurrentTimeMillis()
          })
        )
      ),
      Effect.onExit((exit) =>
        Effect.suspend(() => {
          inflight = undefined
          return Deferred.done(deferred, exit)
        })
      ),
      Effect.forkDaemon,
      Effect.zipRight(Deferred.await(deferred))
    )
  }

  const mayFetch = (now: number): boolean =>
    inflight !== undefined || attemptedAt === undefined || now - attemptedAt >= cooldown

  return {
    find: (kid, now) => {
      if (keys === undefined || now - loadedAt >= ttl) return undefined
      return lookup(keys, kid)
    },
    resolve: (kid) =>
      Effect.clockWith((clock) => {
        const now = clock.unsafeCurrentTimeMillis()
        const known = keys === undefined ? undefined : lookup(keys, kid)
        if (known !== undefined) {
          // Expired keys keep serving while fresh ones load in the background.
          if (now - loadedAt >= ttl && mayFetch(now)) {
            return Effect.as(Effect.ignore(Effect.forkDaemon(refresh(now))), known)
          }
          return Effect.succeed(known)
        }
        if (!mayFetch(now)) {
          return Effect.fail(keys === undefined ? remoteFailed() : new SessionTokenError(notFound(kid)))
        }
        return Effect.flatMap(refresh(now), (fresh) => {
          const key = lookup(fresh, kid)
          return key === undefined ? Effect.fail(new SessionTokenError(notFound(kid))) : Effect.succeed(key)
        })
      })
  }
}
