/**
 * The client of Clerk's Backend API: a service holding the operations, grouped by resource as in Clerk's own SDK
 * (`clerkClient.actorTokens.create(…)`), built from the secret key, base URL, retry and timeout policy over the
 * `HttpClient` you provide. Replace the whole service with one `Layer.succeed` to run a program without HTTP.
 *
 * @since 0.1.0
 */
import type { ActorToken, Jwks, Session } from "@effect-clerk/schema"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue, identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { CreateParams } from "./ActorTokens.js"
import type { ClerkConfigError, ClerkError } from "./ClerkError.js"
import * as InternalActorTokens from "./internal/actorTokens.js"
import * as InternalConfig from "./internal/config.js"
import * as InternalConfigOptions from "./internal/configOptions.js"
import * as InternalHttp from "./internal/http.js"
import * as InternalJwks from "./internal/jwks.js"
import * as InternalRateLimit from "./internal/rateLimit.js"
import * as InternalSessions from "./internal/sessions.js"
import { version } from "./internal/version.js"
import type { CreateTokenOptions, ListParams } from "./Sessions.js"
import { SharedRateLimiter } from "./SharedRateLimiter.js"

/**
 * The options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The Backend API secret key (`sk_test_…` / `sk_live_…`). Kept `Redacted`; it only ever reaches the header. */
  readonly secretKey: Redacted.Redacted<string>
  /**
   * Default `https://api.clerk.com`; requests go to `${apiUrl}/v1/…`. Must be https, except on loopback (`localhost`,
   * `127.0.0.0/8`, `[::1]`).
   */
  readonly apiUrl?: string | URL | undefined
  /** The `Clerk-API-Version` header, default `2026-05-12` (the version this client was written against). */
  readonly clerkApiVersion?: string | undefined
  /** How many times a failed attempt may be retried, default `2`; `0` disables retries. */
  readonly maxRetries?: number | undefined
  /** The limit for one attempt, response body included; default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The longest `Retry-After` the client waits for; a longer one fails at once with `ClerkRateLimited`. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * Retry `create` after a 5xx, a timeout or a reset connection too. Off by default: Clerk may have created the first
   * token before the failure, so a retry can leave two live impersonation tokens. `create` is always retried after a
   * 429 and when the request provably never left (connection refused, DNS failure).
   */
  readonly retryCreateOnAmbiguousFailure?: boolean | undefined
  /** A product name put before `@effect-clerk/client/<version>` in the `User-Agent` header. */
  readonly userAgent?: string | undefined
  /**
   * A client-side ceiling, off by default: at most `limit` requests (retries included) per `interval` (fixed windows).
   * In-process, unless a `SharedRateLimiter` is in context (e.g. `@effect-clerk/client/RedisRateLimiter`): then every
   * process using the same `key` shares it, and a 429's `Retry-After` holds them all. `key` defaults to a SHA-256 hash
   * of the secret key (never the key itself); set it (1–128 letters, digits, `.`, `_`, `-`) to share a budget under a
   * name of your own. Clerk's windows are not aligned with the client's: leave headroom (e.g. 900 per 10 s against
   * Clerk's 1,000 in production); a 429 is still obeyed.
   */
  readonly rateLimit?:
    | {
      readonly limit: number
      readonly interval: Duration.DurationInput
      readonly key?: string | undefined
    }
    | undefined
  /**
   * Send the caller's trace context (`traceparent`, `b3`) to Clerk. Off by default: a third party has no use for your
   * trace ids. The client's spans exist either way.
   */
  readonly propagateTraceContext?: boolean | undefined
  /** A hook on the `HttpClient` after the client has set the URL and headers (logging, proxies, extra headers). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The actor-token operations of the service; `ActorTokens.create` / `ActorTokens.revoke` call them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActorTokensApi {
  /** See `ActorTokens.create`. */
  readonly create: (params: CreateParams) => Effect.Effect<ActorToken.ActorToken, ClerkError>
  /** See `ActorTokens.revoke`. */
  readonly revoke: (actorTokenId: string) => Effect.Effect<ActorToken.ActorToken, ClerkError>
}

/**
 * The session operations of the service; `Sessions.list` / `get` / `revoke` / `createToken` call them, and
 * `Sessions.stream` and `Impersonations` are built on them.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionsApi {
  /** See `Sessions.list`. */
  readonly list: (params: ListParams) => Effect.Effect<Session.SessionList, ClerkError>
  /** See `Sessions.get`. */
  readonly get: (sessionId: string) => Effect.Effect<Session.Session, ClerkError>
  /** See `Sessions.revoke`. */
  readonly revoke: (sessionId: string) => Effect.Effect<Session.Session, ClerkError>
  /**
   * See `Sessions.createToken`.
   *
   * @since 0.1.0
   */
  readonly createToken: (
    sessionId: string,
    options?: CreateTokenOptions
  ) => Effect.Effect<Redacted.Redacted<string>, ClerkError>
}

/**
 * The key-set operation of the service; `Jwks.get` calls it.
 *
 * @since 0.1.0
 * @category models
 */
export interface JwksApi {
  /** See `Jwks.get`. */
  readonly get: () => Effect.Effect<Jwks.Jwks, ClerkError>
}

/**
 * The service: Clerk's operations, grouped by resource. {@link make} builds the real one; a test can provide its own
 * with `Layer.succeed(ClerkClient, ClerkClient.of({ actorTokens: { … }, sessions: { … }, jwks: { get } }))`,
 * and the module-level accessors (`ActorTokens.create`, `Sessions.list`, `Impersonations.end`, …) then run it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly actorTokens: ActorTokensApi
  readonly sessions: SessionsApi
  /** @since 0.1.0 */
  readonly jwks: JwksApi
}

/**
 * The `ClerkClient` service, provided by {@link layer} or {@link layerConfig}.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkClient extends Context.Tag("@effect-clerk/client/ClerkClient")<ClerkClient, Service>() {}

/**
 * The `User-Agent` product token of this package.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent: string = `@effect-clerk/client/${version}`

/**
 * Builds the service from options, over the `HttpClient` in context. Fails with `ClerkConfigError` for an empty or
 * publishable key, a non-https URL, a negative retry count, …; the error names the option, never the key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, ClerkConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* InternalConfig.resolve(options, userAgent)
    const baseClient = yield* HttpClient.HttpClient
    const rateLimit = yield* InternalRateLimit.make(
      resolved.rateLimit,
      yield* Effect.serviceOption(SharedRateLimiter),
      resolved.secretKey
    )
    // Each attempt has the client's own span (method, path, status; no header values): the platform's, with one
    // attribute per header, is turned off for these requests.
    const httpClient = baseClient.pipe(
      HttpClient.withTracerDisabledWhen(constTrue),
      options.transformClient ?? identity
    )
    const execute = InternalHttp.makeExecute({
      httpClient,
      baseUrl: resolved.baseUrl,
      headers: Headers.fromInput({
        // The key is unwrapped only here, into the header every request carries; no span or log reads headers.
        authorization: `Bearer ${Redacted.value(resolved.secretKey)}`,
        "clerk-api-version": resolved.clerkApiVersion,
        "user-agent": resolved.userAgent,
        accept: "application/json"
      }),
      propagateTraceContext: resolved.propagateTraceContext,
      maxRetries: resolved.maxRetries,
      timeout: resolved.timeout,
      maxRetryAfter: resolved.maxRetryAfter,
      retryCreateOnAmbiguousFailure: resolved.retryCreateOnAmbiguousFailure,
      rateLimit
    })
    return ClerkClient.of({
      actorTokens: InternalActorTokens.make(execute),
      sessions: InternalSessions.make(execute),
      jwks: InternalJwks.make(execute)
    })
  })

/**
 * A layer of the client over the `HttpClient` you provide (`FetchHttpClient.layer`, an undici client, a test
 * transport…).
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkClient } from "@effect-clerk/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClerkLive = ClerkClient.layer({ secretKey: Redacted.make("sk_test_…") }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * const program = ActorTokens.create({ userId: "user_123", actor: { sub: "user_support" } })
 * Effect.runPromise(program.pipe(Effect.provide(ClerkLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ClerkClient, ClerkConfigError, HttpClient.HttpClient> =>
  Layer.scoped(ClerkClient, make(options))

/**
 * The options of {@link layerConfig}: each one a plain value or a `Config` of your own (another variable name, a
 * secrets store, …). `secretKey` defaults to `Config.redacted("CLERK_SECRET_KEY")`, `apiUrl` to the optional
 * `CLERK_API_URL`; every other option to its default.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions = {
  readonly [K in keyof Options]?: Options[K] | Config.Config<Options[K]>
}

const optionalString = (name: string): Config.Config<string | undefined> =>
  Config.string(name).pipe(Config.option, Config.map(Option.getOrUndefined))

/**
 * Like {@link layer}, with options read from `Config`: by default the names `@clerk/backend` users already have,
 * `CLERK_SECRET_KEY` (required, read as `Redacted`) and `CLERK_API_URL` (optional). Any option may be given as a
 * plain value or as a `Config` of your own.
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Config, Layer } from "effect"
 *
 * // CLERK_SECRET_KEY, CLERK_API_URL, and three retries.
 * const ClerkLive = ClerkClient.layerConfig({ maxRetries: 3 }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * // The key under another name, and the retry count from the environment too.
 * const ClerkCustom = ClerkClient.layerConfig({
 *   secretKey: Config.redacted("BACKOFFICE_CLERK_KEY"),
 *   maxRetries: Config.integer("CLERK_MAX_RETRIES").pipe(Config.withDefault(2))
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<ClerkClient, ConfigError.ConfigError | ClerkConfigError, HttpClient.HttpClient> => {
  const entries: InternalConfigOptions.Entries<Options> = {
    secretKey: InternalConfigOptions.entry(options.secretKey, Config.redacted("CLERK_SECRET_KEY")),
    apiUrl: InternalConfigOptions.entry(options.apiUrl, optionalString("CLERK_API_URL")),
    clerkApiVersion: InternalConfigOptions.entry(options.clerkApiVersion, InternalConfigOptions.absent),
    maxRetries: InternalConfigOptions.entry(options.maxRetries, InternalConfigOptions.absent),
    timeout: InternalConfigOptions.entry(options.timeout, InternalConfigOptions.absent),
    maxRetryAfter: InternalConfigOptions.entry(options.maxRetryAfter, InternalConfigOptions.absent),
    retryCreateOnAmbiguousFailure: InternalConfigOptions.entry(
      options.retryCreateOnAmbiguousFailure,
      InternalConfigOptions.absent
    ),
    userAgent: InternalConfigOptions.entry(options.userAgent, InternalConfigOptions.absent),
    rateLimit: InternalConfigOptions.entry(options.rateLimit, InternalConfigOptions.absent),
    propagateTraceContext: InternalConfigOptions.entry(options.propagateTraceContext, InternalConfigOptions.absent),
    transformClient: InternalConfigOptions.entry(options.transformClient, InternalConfigOptions.absent)
  }
  return Layer.scoped(ClerkClient, Effect.flatMap(Config.all(entries), make))
}
