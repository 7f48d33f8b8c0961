/**
 * Verifying Clerk session tokens: the `Verifier` service checks one token's signature and claims and answers its
 * {@link SessionClaims.SessionClaims}, or a {@link SessionTokenError} that says why not.
 *
 * @since 0.1.0
 */
import type { SessionClaims } from "@effect-clerk/schema"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/verifier.js"
import * as Errors from "./SessionTokenError.js"

/**
 * Why a token was refused. Clerk's own reason strings where they exist, so logs read the same as with Clerk's SDKs.
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason: typeof Errors.Reason = Errors.Reason

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = Errors.Reason

/**
 * A token was refused. It holds no part of the token, the key or the signature: safe to log and to answer with.
 *
 * @since 0.1.0
 * @category errors
 */
export const SessionTokenError: typeof Errors.SessionTokenError = Errors.SessionTokenError

/**
 * @since 0.1.0
 * @category errors
 */
export type SessionTokenError = Errors.SessionTokenError

/**
 * A {@link layer} option was refused when the layer was built; `option` names it.
 *
 * @since 0.1.0
 * @category errors
 */
export const SessionTokenConfigError: typeof Errors.SessionTokenConfigError = Errors.SessionTokenConfigError

/**
 * @since 0.1.0
 * @category errors
 */
export type SessionTokenConfigError = Errors.SessionTokenConfigError

/**
 * The service that verifies session tokens, built by {@link layer} with its keys and rules.
 *
 * @since 0.1.0
 * @category services
 */
export class Verifier extends Context.Tag("@effect-clerk/auth/SessionToken/Verifier")<Verifier, Verifier.Service>() {}

/**
 * @since 0.1.0
 * @category services
 */
export declare namespace Verifier {
  /**
   * @since 0.1.0
   * @category services
   */
  export interface Service {
    readonly verify: (
      token: string | Redacted.Redacted<string>
    ) => Effect.Effect<SessionClaims.SessionClaims, SessionTokenError>
  }
}

/**
 * Verifies one session token with the {@link Verifier} in context: the signature (RS256 only, with the instance's
 * key), then the claims — `exp`, `nbf` and `iat` within the clock skew, `sub` and `sid` present, a session token and
 * not another kind, the issuer and the authorized party when configured, and no pending session unless accepted.
 *
 * @example
 * ```ts
 * import { SessionToken } from "@effect-clerk/auth"
 * import { Effect } from "effect"
 *
 * const userId = (token: string) =>
 *   SessionToken.verify(token).pipe(Effect.map((claims) => claims.userId))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const verify = (
  token: string | Redacted.Redacted<string>
): Effect.Effect<SessionClaims.SessionClaims, SessionTokenError, Verifier> =>
  Effect.flatMap(Verifier, (verifier) => verifier.verify(token))

/**
 * The options every key source shares.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions {
  /**
   * The expected issuer (`iss`, the instance's Frontend API URL, e.g. `https://clerk.example.com`): one value, a list,
   * or a predicate. When given, a token without a matching `iss` is refused (`token-invalid-issuer`).
   */
  readonly issuer?: string | ReadonlyArray<string> | ((iss: string) => boolean) | undefined
  /**
   * The instance's publishable key (`pk_test_…`, `pk_live_…`): when no `issuer` is given, the expected issuer is the
   * Frontend API URL it names.
   */
  readonly publishableKey?: string | undefined
  /**
   * The origins allowed to have requested the token: a token whose `azp` is not one of them is refused
   * (`token-invalid-authorized-parties`). A token without `azp` (minted by the Backend API, or sent as a cookie on a
   * top-level navigation) is accepted, as Clerk's SDKs do.
   */
  readonly authorizedParties?: ReadonlyArray<string> | undefined
  /** The tolerance on `exp`, `nbf` and `iat` (default 5 seconds; 0 allowed; a number is milliseconds). */
  readonly clockSkew?: Duration.DurationInput | undefined
  /** Accept sessions with tasks left (`sts: "pending"`); refused (`session-pending`) by default. */
  readonly acceptPending?: boolean | undefined
  /**
   * What checks signatures: `"node:crypto"` (the default where it loads: synchronous and native) or `"jose"` (jose on
   * WebCrypto, the default elsewhere, e.g. in edge runtimes).
   */
  readonly crypto?: "node:crypto" | "jose" | undefined
}

/**
 * A JSON Web Key Set, as the Frontend API's `/.well-known/jwks.json` and the Backend API's `/v1/jwks` answer it. Only
 * RSA signing keys are used; others are skipped.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonWebKeySet {
  readonly keys: ReadonlyArray<{ readonly kty: string; readonly kid?: string; readonly [member: string]: unknown }>
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Options {
  /**
   * The instance's PEM public key (the Dashboard's "JWT public key", `CLERK_JWT_KEY`): networkless, imported once.
   *
   * @since 0.1.0
   * @category models
   */
  export interface JwtKey extends CommonOptions {
    readonly jwtKey: string | Redacted.Redacted<string>
    readonly jwks?: undefined
    readonly secretKey?: undefined
  }

  /**
   * A JSON Web Key Set given as a value: tokens are matched to its keys by `kid`.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Jwks extends CommonOptions {
    readonly jwks: JsonWebKeySet
    readonly jwtKey?: undefined
    readonly secretKey?: undefined
  }

  /**
   * The instance's secret key: its keys are fetched from the Backend API (`GET {apiUrl}/v1/jwks`) through the
   * `HttpClient` in context, cached, and fetched again when a token names an unknown `kid` — at most once per 5
   * seconds, one fetch shared by every caller. Cached keys are refreshed after 5 minutes, in the background.
   *
   * @since 0.1.0
   * @category models
   */
  export interface SecretKey extends CommonOptions {
    readonly secretKey: string | Redacted.Redacted<string>
    /** The Backend API's URL (default `https://api.clerk.com`). */
    readonly apiUrl?: string | undefined
    readonly jwtKey?: undefined
    readonly jwks?: undefined
  }
}

/**
 * The options of {@link layer}: exactly one key source — `jwtKey`, `jwks` or `secretKey` — and the rules.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Options.JwtKey | Options.Jwks | Options.SecretKey

/**
 * Builds a {@link Verifier.Service}: every option is checked and the key imported once, here; a bad option fails
 * with a {@link SessionTokenConfigError} naming it.
 *
 * @example
 * ```ts
 * import { SessionToken } from "@effect-clerk/auth"
 * import { Effect } from "effect"
 *
 * declare const pem: string
 *
 * const program = Effect.gen(function*() {
 *   const verifier = yield* SessionToken.make({ jwtKey: pem })
 *   return yield* verifier.verify("eyJ…")
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (options: Options.JwtKey | Options.Jwks): Effect.Effect<Verifier.Service, SessionTokenConfigError>
  (options: Options): Effect.Effect<Verifier.Service, SessionTokenConfigError, HttpClient.HttpClient>
  // Only the `secretKey` source reads the `HttpClient`: the other overload's requirement is `never` at run time too.
} = internal.make as (options: Options) => Effect.Effect<Verifier.Service, SessionTokenConfigError, never>

/**
 * The {@link Verifier} with one key source. `jwtKey` and `jwks` need nothing; `secretKey` fetches the keys through
 * the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { SessionToken } from "@effect-clerk/auth"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * declare const pem: string
 *
 * // Networkless, with the PEM public key.
 * const FromPem = SessionToken.layer({
 *   jwtKey: pem,
 *   publishableKey: "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k",
 *   authorizedParties: ["https://app.example.com"]
 * })
 *
 * // The instance's keys from the Backend API.
 * const FromApi = SessionToken.layer({ secretKey: Redacted.make("sk_test_…") }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: {
  (options: Options.JwtKey | Options.Jwks): Layer.Layer<Verifier, SessionTokenConfigError>
  (options: Options): Layer.Layer<Verifier, SessionTokenConfigError, HttpClient.HttpClient>
} = (options: Options): Layer.Layer<Verifier, SessionTokenConfigError, never> =>
  Layer.effect(Verifier, make(options as Options.JwtKey))

const optionalRedacted = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.redacted(name))

/**
 * Like {@link layer}, with the key source read from the environment under the names `@clerk/backend` reads:
 * `CLERK_JWT_KEY` (the PEM public key) if set, else `CLERK_SECRET_KEY` (and `CLERK_API_URL`, optional);
 * `CLERK_PUBLISHABLE_KEY`, when set and no `issuer` is given, sets the expected issuer. With neither key set, the
 * layer fails with a {@link SessionTokenConfigError} naming `CLERK_SECRET_KEY`.
 *
 * @example
 * ```ts
 * import { SessionToken } from "@effect-clerk/auth"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const VerifierLive = SessionToken.layerConfig({ authorizedParties: ["https://app.example.com"] }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: CommonOptions = {}
): Layer.Layer<Verifier, SessionTokenConfigError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    Verifier,
    Effect.gen(function*() {
      const env = yield* Config.all({
        jwtKey: optionalRedacted("CLERK_JWT_KEY"),
        secretKey: optionalRedacted("CLERK_SECRET_KEY"),
        apiUrl: Config.option(Config.string("CLERK_API_URL")),
        publishableKey: Config.option(Config.string("CLERK_PUBLISHABLE_KEY"))
      })
      const common: CommonOptions = {
        ...options,
        publishableKey: options.publishableKey ?? Option.getOrUndefined(env.publishableKey)
      }
      if (Option.isSome(env.jwtKey)) return yield* internal.make({ ...common, jwtKey: env.jwtKey.value })
      if (Option.isSome(env.secretKey)) {
        return yield* internal.make({
          ...common,
          secretKey: env.secretKey.value,
          apiUrl: Option.getOrUndefined(env.apiUrl)
        })
      }
      return yield* new SessionTokenConfigError({
        option: "CLERK_SECRET_KEY",
        message: "Neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set"
      })
    })
  )
