/**
 * The client's `rateLimit`, shared by every process through Redis: the permits are counted by `@effect/experimental`'s
 * `RateLimiter` with its Redis store (Lua scripts, server-side TTLs, so machine clocks do not matter), and a 429's
 * `Retry-After` is kept as a small "blocked until" entry beside the counters, which every process waits out before
 * its next attempt.
 *
 * Use it when more than one process talks to the same Clerk instance (API replicas, a worker pool, serverless
 * instances): each process alone would stay under its own limit while together they run into Clerk's. Provide it to
 * `ClerkClient.layer`, whose `rateLimit` then applies to all of them together:
 *
 * ```ts
 * ClerkClient.layer({ secretKey, rateLimit: { limit: 900, interval: "10 seconds" } }).pipe(
 *   Layer.provide(RedisRateLimiter.layer({ url: "redis://127.0.0.1:6379" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * The key in Redis is derived from the Clerk instance: by default a SHA-256 hash of the secret key (never the key),
 * or `rateLimit.key`. Two applications on one Redis never share a budget.
 *
 * When Redis is down or too slow, a call waits at most `timeout` for it, then `onUnavailable` decides: fail the call
 * with `ClerkRateLimiterUnavailable` (the default) or go on under the in-process limit only. Commands are never
 * queued while the connection is down, and the client reconnects on its own: once Redis is back, the shared limit
 * applies again without a restart. (While Redis is down, ioredis prints its connection errors to the console for the
 * store's own connection, which `@effect/experimental` creates.)
 *
 * A deep import: only programs that import it load `@effect/experimental` and `ioredis`, both optional peer
 * dependencies (`npm install @effect/experimental@^0.61.1 ioredis@^5`).
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RedisStore from "@effect/experimental/RateLimiter/Redis"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type { ClerkConfigError } from "./ClerkError.js"
import * as InternalConfig from "./internal/config.js"
import * as InternalConfigOptions from "./internal/configOptions.js"
import * as InternalRedis from "./internal/redisRateLimiter.js"
import * as InternalShared from "./internal/sharedRateLimiter.js"
import * as SharedRateLimiter from "./SharedRateLimiter.js"

/**
 * The options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * `redis://[[username]:password@]host[:port][/db]`, or `rediss://…` for TLS. It may hold a password: it appears in
   * no error or log.
   */
  readonly url: string | Redacted.Redacted<string>
  /** The prefix of every key this limiter writes; default {@link defaultPrefix}. */
  readonly prefix?: string | undefined
  /** What the client does when Redis cannot be reached in time: `"fail"` (the default) or `"continue"`. */
  readonly onUnavailable?: SharedRateLimiter.OnUnavailable | undefined
  /** The longest wait for Redis, per command and for a connection; default 1 second. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The default key prefix: an instance's counter is `effect-clerk:rate-limit:<key>:<generation>`, its block
 * `effect-clerk:rate-limit:<key>:blocked` and its generation `effect-clerk:rate-limit:<key>:generation`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix: string = InternalRedis.defaultPrefix

/**
 * Builds the service: connects to Redis (waiting at most `timeout`; a Redis that is down then makes the calls fail or
 * go on, as `onUnavailable` says), and closes its connections when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<SharedRateLimiter.Service, ClerkConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* InternalConfig.decodeOptions(InternalRedis.OptionsSchema, "RedisRateLimiter", options)
    const timeoutMillis = Math.max(1, Math.ceil(Duration.toMillis(resolved.timeout)))
    let closing = false
    const redisOptions = {
      ...resolved.url,
      // Fail at once while disconnected, never queue: a limiter that waits for Redis would hold every call.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMillis,
      commandTimeout: timeoutMillis,
      // Reconnect for as long as the layer lives, at most a second apart; stop once it is closing.
      retryStrategy: (times: number) => closing ? null : Math.min(times * 100, 1000)
    }

    // The store's connection is created and closed by `@effect/experimental`; its `quit` fails when Redis is down at
    // that moment, which must not fail the program that is shutting down.
    const storeScope = yield* Scope.make()
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closing = true
        return Effect.catchAllCause(Scope.close(storeScope, Exit.void), () => Effect.void)
      })
    )
    const store = yield* Scope.extend(RedisStore.make({ ...redisOptions, prefix: resolved.prefix }), storeScope)
    const limiter = yield* Effect.provideService(RateLimiter.make, RateLimiter.RateLimiterStore, store)

    const redis = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Redis(redisOptions).on("error", () => {
          // Failures reach the calls as `ClerkRateLimiterUnavailable`; the connection reconnects on its own.
        })
      ),
      (redis) =>
        Effect.sync(() => {
          closing = true
          redis.disconnect()
        })
    )
    const service = InternalShared.make({
      limiter,
      blocks: InternalRedis.blocks(redis, resolved.prefix),
      onUnavailable: resolved.onUnavailable,
      timeout: resolved.timeout,
      unavailable: InternalRedis.unavailable
    })

    // Commands are not queued until the connections are up: wait for both (a key that expires after 1 ms), for at
    // most `timeout`.
    const probe = Effect.zipRight(
      service.state(":probe"),
      store.fixedWindow({ key: ":probe", tokens: 1, refillRate: Duration.millis(1), limit: undefined }).pipe(
        Effect.mapError((error) => InternalRedis.unavailable(error.reason === "StoreError" ? error.cause : error))
      )
    )
    yield* probe.pipe(
      Effect.retry(Schedule.spaced("20 millis")),
      Effect.timeout(resolved.timeout),
      Effect.ignore
    )
    return service
  })

/**
 * The shared limiter on the Redis at `url`. Its connections close with the layer.
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkClient } from "@effect-clerk/client"
 * import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // Every process with this key and this Redis shares 900 requests per 10 s (Clerk allows 1,000).
 * const ClerkLive = ClerkClient.layer({
 *   secretKey: Redacted.make("sk_live_…"),
 *   rateLimit: { limit: 900, interval: "10 seconds" }
 * }).pipe(
 *   Layer.provide(RedisRateLimiter.layer({ url: "redis://127.0.0.1:6379" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * const program = ActorTokens.revoke("act_123").pipe(
 *   Effect.catchTag("ClerkRateLimiterUnavailable", (error) => Effect.logError(error.message))
 * )
 * Effect.runPromise(program.pipe(Effect.provide(ClerkLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SharedRateLimiter.SharedRateLimiter, ClerkConfigError> =>
  Layer.scoped(SharedRateLimiter.SharedRateLimiter, make(options))

/**
 * The options of {@link layerConfig}: each a plain value or a `Config`. `url` defaults to
 * `Config.redacted("CLERK_RATE_LIMIT_REDIS_URL")`.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions = {
  readonly [K in keyof Options]?: Options[K] | Config.Config<Options[K]>
}

/**
 * Like {@link layer}, with the url read from `CLERK_RATE_LIMIT_REDIS_URL` (as `Redacted`: it may hold a password)
 * unless given; any option may be a plain value or a `Config` of your own.
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * // CLERK_SECRET_KEY and CLERK_RATE_LIMIT_REDIS_URL from the environment.
 * const ClerkLive = ClerkClient.layerConfig({ rateLimit: { limit: 900, interval: "10 seconds" } }).pipe(
 *   Layer.provide(RedisRateLimiter.layerConfig({ onUnavailable: "continue" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<SharedRateLimiter.SharedRateLimiter, ConfigError.ConfigError | ClerkConfigError> => {
  const entries: InternalConfigOptions.Entries<Options> = {
    url: InternalConfigOptions.entry(options.url, Config.redacted("CLERK_RATE_LIMIT_REDIS_URL")),
    prefix: InternalConfigOptions.entry(options.prefix, InternalConfigOptions.absent),
    onUnavailable: InternalConfigOptions.entry(options.onUnavailable, InternalConfigOptions.absent),
    timeout: InternalConfigOptions.entry(options.timeout, InternalConfigOptions.absent)
  }
  return Layer.scoped(SharedRateLimiter.SharedRateLimiter, Effect.flatMap(Config.all(entries), make))
}
