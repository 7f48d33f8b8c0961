/**
 * The client's `SharedRateLimiter` over any `@effect/experimental` `RateLimiter`: the permits are consumed from the
 * `RateLimiter` in context (its fixed window, `onExceeded: "delay"`), whatever store it counts in. The blocks after a
 * 429 are kept in this process's memory; `@effect-clerk/client/RedisRateLimiter` keeps them in Redis, beside its
 * counters, so that they reach every process.
 *
 * A deep import: only programs that import it load `@effect/experimental` (an optional peer dependency,
 * `npm install @effect/experimental@^0.61.1`).
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { type ClerkConfigError, ClerkRateLimiterUnavailable } from "./ClerkError.js"
import * as InternalConfig from "./internal/config.js"
import * as InternalShared from "./internal/sharedRateLimiter.js"
import * as SharedRateLimiter from "./SharedRateLimiter.js"

/**
 * The options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** What the client does when the store fails: `"fail"` (the default) or `"continue"` (see `OnUnavailable`). */
  readonly onUnavailable?: SharedRateLimiter.OnUnavailable | undefined
  /** The longest wait for the store, per call; default 1 second. */
  readonly timeout?: Duration.DurationInput | undefined
}

const OptionsSchema = Schema.Struct(InternalShared.CommonOptions)

const storeFailed = (): ClerkRateLimiterUnavailable =>
  new ClerkRateLimiterUnavailable({ reason: "Failed", message: "the shared rate limiter's store failed" })

/**
 * Builds the service over the `RateLimiter` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<SharedRateLimiter.Service, ClerkConfigError, RateLimiter.RateLimiter> =>
  Effect.gen(function*() {
    const resolved = yield* InternalConfig.decodeOptions(OptionsSchema, "ExperimentalRateLimiter", options)
    return InternalShared.make({
      limiter: yield* RateLimiter.RateLimiter,
      blocks: yield* InternalShared.memoryBlocks,
      onUnavailable: resolved.onUnavailable,
      timeout: resolved.timeout,
      unavailable: storeFailed
    })
  })

/**
 * The shared limiter over the `RateLimiter` you provide, e.g. one over a store of your own.
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import * as ExperimentalRateLimiter from "@effect-clerk/client/ExperimentalRateLimiter"
 * import { RateLimiter } from "@effect/experimental"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * const ClerkLive = ClerkClient.layer({
 *   secretKey: Redacted.make("sk_test_…"),
 *   rateLimit: { limit: 90, interval: "10 seconds" }
 * }).pipe(
 *   Layer.provide(ExperimentalRateLimiter.layer()),
 *   Layer.provide(RateLimiter.layer),
 *   Layer.provide(RateLimiter.layerStoreMemory),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<SharedRateLimiter.SharedRateLimiter, ClerkConfigError, RateLimiter.RateLimiter> =>
  Layer.effect(SharedRateLimiter.SharedRateLimiter, make(options))

/**
 * The shared limiter over `@effect/experimental`'s memory store: one budget for every client built over the same
 * layer in this process (and blocks that reach them all).
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import * as ExperimentalRateLimiter from "@effect-clerk/client/ExperimentalRateLimiter"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * const ClerkLive = ClerkClient.layer({
 *   secretKey: Redacted.make("sk_test_…"),
 *   rateLimit: { limit: 90, interval: "10 seconds" }
 * }).pipe(Layer.provide(ExperimentalRateLimiter.layerMemory), Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<SharedRateLimiter.SharedRateLimiter> = layer().pipe(
  Layer.provide(RateLimiter.layer),
  Layer.provide(RateLimiter.layerStoreMemory),
  Layer.orDie
)
