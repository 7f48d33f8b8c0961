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
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { type ChainableCommander, Redis } from "ioredis"
import { type ClerkConfigError, ClerkRateLimiterUnavailable, type RateLimiterFailureReason } from "./ClerkError.js"
import * as InternalConfig from "./internal/config.js"
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
export const defaultPrefix: string = "effect-clerk:rate-limit:"

// ---------------------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------------------

interface Connection {
  readonly host: string
  readonly port: number
  readonly username?: string
  readonly password?: string
  readonly db?: number
  readonly tls?: {}
}

const RedisUrl = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.RedactedFromSelf(Schema.String)),
  Schema.declare((u): u is Connection => typeof u === "object" && u !== null),
  {
    strict: true,
    decode: (input, _, ast) => {
      // The url may hold a password: the messages never quote it.
      const fail = (message: string) => ParseResult.fail(new ParseResult.Type(ast, "<redacted>", message))
      let url: URL
      try {
        url = new URL(Redacted.isRedacted(input) ? Redacted.value(input) : input)
      } catch {
        return fail("url is not an absolute URL")
      }
      if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
        return fail("url must start with redis:// or rediss://")
      }
      if (url.hostname === "") return fail("url has no host")
      const db = url.pathname.replace(/^\/+/, "")
      if (db !== "" && !/^\d{1,5}$/.test(db)) return fail("url's path must be a database number")
      return ParseResult.succeed({
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port === "" ? 6379 : Number(url.port),
        ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
        ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
        ...(db === "" ? {} : { db: Number(db) }),
        ...(url.protocol === "rediss:" ? { tls: {} } : {})
      })
    },
    encode: (_, __, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, "<redacted>", "not encodable"))
  }
)

const OptionsSchema = Schema.Struct({
  url: RedisUrl,
  prefix: Schema.optionalWith(
    Schema.String.pipe(
      Schema.filter((prefix) => /^[\x21-\x7e]{0,128}$/.test(prefix) || "prefix must be printable ASCII, at most 128")
    ),
    { default: () => defaultPrefix }
  ),
  ...InternalShared.CommonOptions
})

// ---------------------------------------------------------------------------------------------------------------
// failures
// ---------------------------------------------------------------------------------------------------------------

const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"])

const describeReason: Record<RateLimiterFailureReason, string> = {
  Timeout: "Redis did not answer in time",
  Unreachable: "Redis is not reachable",
  Failed: "Redis answered with an error"
}

/** Classifies an ioredis failure; only fixed phrases and Redis's error code reach the message, never the address. */
const unavailable = (cause: unknown): ClerkRateLimiterUnavailable => {
  const error = cause instanceof Error ? cause as Error & { readonly code?: unknown } : undefined
  const message = error?.message ?? ""
  const reason: RateLimiterFailureReason = message === "Command timed out"
    ? "Timeout"
    : error?.name === "MaxRetriesPerRequestError" || message.includes("enableOfflineQueue") ||
        message === "Connection is closed." || (typeof error?.code === "string" && unreachableCodes.has(error.code))
    ? "Unreachable"
    : "Failed"
  const code = reason === "Failed" && error?.name === "ReplyError" ? /^[A-Z]+\b/.exec(message)?.[0] : undefined
  return new ClerkRateLimiterUnavailable({
    reason,
    message: `the shared rate limiter is unavailable: ${describeReason[reason]}${
      code === undefined ? "" : ` (${code})`
    }`
  })
}

// ---------------------------------------------------------------------------------------------------------------
// the service
// ---------------------------------------------------------------------------------------------------------------

const redisBlocks = (redis: Redis, prefix: string): InternalShared.Blocks => {
  const blockKey = (key: string) => `${prefix}${key}:blocked`
  const generationKey = (key: string) => `${prefix}${key}:generation`
  const pipeline = (build: (pipeline: ChainableCommander) => ChainableCommander) =>
    Effect.tryPromise({
      try: async () => {
        const results = await build(redis.pipeline()).exec()
        const failed = results?.find(([error]) => error !== null)
        if (results === null || failed !== undefined) throw failed?.[0] ?? new Error("Connection is closed.")
        return results.map(([, value]) => value)
      },
      catch: unavailable
    })
  return {
    // Set when absent, else lengthened, never shortened (`PTTL` then `SET … PX`: any Redis version has them).
    set: (key, millis) =>
      pipeline((p) => p.set(blockKey(key), "1", "PX", millis, "NX").pttl(blockKey(key)).incr(generationKey(key))).pipe(
        Effect.flatMap(([created, ttl]) =>
          created === null && Number(ttl) < millis
            ? pipeline((p) => p.set(blockKey(key), "1", "PX", millis))
            : Effect.void
        ),
        Effect.asVoid
      ),
    get: (key) =>
      pipeline((p) => p.pttl(blockKey(key)).get(generationKey(key))).pipe(
        Effect.map(([ttl, generation]) => ({ millis: Math.max(0, Number(ttl)), generation: Number(generation ?? 0) }))
      )
  }
}

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
    const resolved = yield* InternalConfig.decodeOptions(OptionsSchema, "RedisRateLimiter", options)
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
      blocks: redisBlocks(redis, resolved.prefix),
      onUnavailable: resolved.onUnavailable,
      timeout: resolved.timeout,
      unavailable
    })

    // Commands are not queued until the connections are up: wait for both (a key that expires after 1 ms), for at
    // most `timeout`.
    const probe = Effect.zipRight(
      service.state(":probe"),
      store.fixedWindow({ key: ":probe", tokens: 1, refillRate: Duration.millis(1), limit: undefined }).pipe(
        Effect.mapError((error) => unavailable(error.reason === "StoreError" ? error.cause : error))
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
  const entries: Record<string, Config.Config<unknown>> = { url: Config.redacted("CLERK_RATE_LIMIT_REDIS_URL") }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) entries[key] = Config.isConfig(value) ? value : Config.succeed(value)
  }
  return Layer.scoped(
    SharedRateLimiter.SharedRateLimiter,
    Effect.flatMap(Config.all(entries), (resolved) => make(resolved as unknown as Options))
  )
}
