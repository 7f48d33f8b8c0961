/**
 * A rate limit shared by every process that talks to one Clerk instance. Clerk counts requests per instance (per
 * secret key), not per process: replicas, a worker pool or serverless instances that each stay under the client's
 * `rateLimit` still add up to 429s together. Put a `SharedRateLimiter` in the context of `ClerkClient.layer` and the
 * client's `rateLimit` is taken from it instead of from an in-process limiter:
 *
 * - before each attempt, the client consumes one permit of `rateLimit.limit` per `rateLimit.interval` under a key of
 *   the Clerk instance (by default a SHA-256 hash of the secret key, never the key itself), waiting while the window
 *   is used up;
 * - after a 429 with `Retry-After`, the client blocks the key for that long, and every process waits out the block
 *   before its next attempt, instead of each one finding out with its own 429; the permits taken before the block
 *   are void, and counting starts afresh when it ends.
 *
 * Without a `SharedRateLimiter` in context, `rateLimit` is counted in-process. The implementations are deep
 * imports, so that programs that do not use them load nothing more: `@effect-clerk/client/RedisRateLimiter` (Redis,
 * through `@effect/experimental`'s Redis store) and `@effect-clerk/client/ExperimentalRateLimiter` (any
 * `@effect/experimental` `RateLimiter`, e.g. its memory store).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { ClerkRateLimiterUnavailable } from "./ClerkError.js"

/**
 * What the client does when the shared limiter cannot be consulted (its store is down or too slow):
 *
 * - `"fail"`: the call fails with `ClerkRateLimiterUnavailable`, and nothing is sent;
 * - `"continue"`: the call goes on under the client's in-process limit only (the full `rateLimit` for this process
 *   alone), and a warning is logged once, then again only after the shared limiter has worked in between.
 *
 * @since 0.1.0
 * @category models
 */
export type OnUnavailable = "fail" | "continue"

/**
 * What the client asks of the limiter for one attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsumeOptions {
  /** The counter: the Clerk instance's key and the current {@link State.generation}. */
  readonly key: string
  /** The permits per window. */
  readonly limit: number
  /** The window's length. */
  readonly window: Duration.Duration
}

/**
 * The block on a Clerk instance's key.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  /** How long the key is still blocked: `Duration.zero` when it is not. */
  readonly blockedFor: Duration.Duration
  /**
   * A number that every block changes. Permits are counted per generation: a block voids the permits taken before
   * it, and the first permit after it starts a new window, as Clerk's own window starts anew after its 429.
   */
  readonly generation: number
}

/**
 * The service. Each method ends within a bounded time, or fails with `ClerkRateLimiterUnavailable`.
 *
 * For each attempt the client consumes a permit under `<key>:<generation>`, then reads the {@link State}: it waits
 * out a block, and takes a new permit when the generation has changed meanwhile.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** What the client does when a method fails. */
  readonly onUnavailable: OnUnavailable
  /** Takes one permit; succeeds once the permit's window has come (it waits while the window is full). */
  readonly consume: (options: ConsumeOptions) => Effect.Effect<void, ClerkRateLimiterUnavailable>
  /**
   * Blocks `key` for `duration` for every process sharing the limiter, and starts a new generation. A shorter block
   * never cuts a longer one.
   */
  readonly block: (key: string, duration: Duration.Duration) => Effect.Effect<void, ClerkRateLimiterUnavailable>
  /** The block on `key` and its generation. */
  readonly state: (key: string) => Effect.Effect<State, ClerkRateLimiterUnavailable>
}

/**
 * The shared limiter the client looks for when it is built. Provide it to `ClerkClient.layer` with `Layer.provide`.
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Config, Effect, Layer } from "effect"
 *
 * const ClerkLive = Layer.unwrapEffect(
 *   Effect.map(Config.redacted("CLERK_SECRET_KEY"), (secretKey) =>
 *     ClerkClient.layer({ secretKey, rateLimit: { limit: 900, interval: "10 seconds" } })
 *   )
 * ).pipe(
 *   Layer.provide(RedisRateLimiter.layer({ url: "redis://127.0.0.1:6379" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class SharedRateLimiter
  extends Context.Tag("@effect-clerk/client/SharedRateLimiter")<SharedRateLimiter, Service>()
{}
