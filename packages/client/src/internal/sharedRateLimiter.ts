/**
 * A `SharedRateLimiter` over an `@effect/experimental` `RateLimiter` (which counts, in its store) and a place for the
 * blocks after a 429. Only types are imported from `@effect/experimental` here: the modules that load it at run time
 * are the deep imports `ExperimentalRateLimiter` and `RedisRateLimiter`.
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ClerkRateLimiterUnavailable } from "../ClerkError.js"
import type * as SharedRateLimiter from "../SharedRateLimiter.js"
import { DurationInput } from "./config.js"

/** Where a limiter keeps the blocks and their generation: in memory, or in Redis beside its counters. */
export interface Blocks {
  /** Blocks `key` for `millis` (unless it is already blocked for longer) and starts a new generation. */
  readonly set: (key: string, millis: number) => Effect.Effect<void, ClerkRateLimiterUnavailable>
  /** The milliseconds `key` stays blocked (0 when it is not), and its generation. */
  readonly get: (
    key: string
  ) => Effect.Effect<{ readonly millis: number; readonly generation: number }, ClerkRateLimiterUnavailable>
}

/** Blocks in this process's memory, on the `Clock`. */
export const memoryBlocks: Effect.Effect<Blocks> = Effect.sync(() => {
  const blocks = new Map<string, { readonly until: number; readonly generation: number }>()
  return {
    set: (key, millis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const current = blocks.get(key) ?? { until: 0, generation: 0 }
        blocks.set(key, { until: Math.max(current.until, now + millis), generation: current.generation + 1 })
      }),
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const current = blocks.get(key) ?? { until: 0, generation: 0 }
        return { millis: Math.max(0, current.until - now), generation: current.generation }
      })
  }
})

/** The options every implementation takes. */
export const CommonOptions = {
  onUnavailable: Schema.optionalWith(Schema.Literal("fail", "continue"), { default: () => "fail" as const }),
  timeout: Schema.optionalWith(DurationInput("timeout"), { default: () => Duration.seconds(1) })
}

export interface MakeOptions {
  readonly limiter: RateLimiter.RateLimiter
  readonly blocks: Blocks
  readonly onUnavailable: SharedRateLimiter.OnUnavailable
  /** The longest wait for the store, per call. */
  readonly timeout: Duration.Duration
  /** What a failure of the store (the `cause` of a `RateLimitStoreError`) means. */
  readonly unavailable: (cause: unknown) => ClerkRateLimiterUnavailable
}

/** Bounds a call to the store in time, and types its failure. */
const bounded =
  (timeout: Duration.Duration) =>
  <A>(effect: Effect.Effect<A, ClerkRateLimiterUnavailable>): Effect.Effect<A, ClerkRateLimiterUnavailable> =>
    effect.pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new ClerkRateLimiterUnavailable({
            reason: "Timeout",
            message: `the shared rate limiter did not answer within ${Duration.format(timeout)}`
          })
      })
    )

/**
 * The limit as the stores can count it: `@effect/experimental`'s fixed window lengthens a key's TTL by `window /
 * limit` per permit, and its Redis store sets TTLs in whole milliseconds (a fraction fails the command). So the time
 * per permit is rounded up to a whole millisecond and the window becomes the fewest such permits that cover it: never
 * more than `limit` per `window`, e.g. 900 per 10 s is counted as 834 per 10,008 ms. A whole number of milliseconds
 * per permit (1,000 per 10 s, 40 per 1,040 ms) is kept as it is.
 */
const wholeMillis = (limit: number, window: Duration.Duration): { limit: number; window: Duration.Duration } => {
  const windowMillis = Duration.toMillis(window)
  const perPermit = Math.max(1, Math.ceil(windowMillis / limit))
  const permits = Math.min(limit, Math.max(1, Math.ceil(windowMillis / perPermit)))
  return { limit: permits, window: Duration.millis(permits * perPermit) }
}

export const make = (options: MakeOptions): SharedRateLimiter.Service => {
  const withinTimeout = bounded(options.timeout)
  return {
    onUnavailable: options.onUnavailable,
    consume: ({ key, limit, window }) =>
      options.limiter.consume({ key, ...wholeMillis(limit, window), algorithm: "fixed-window", onExceeded: "delay" })
        .pipe(
          Effect.mapError((error) => options.unavailable(error.reason === "StoreError" ? error.cause : error)),
          withinTimeout,
          Effect.flatMap(({ delay }) => Duration.isZero(delay) ? Effect.void : Effect.sleep(delay))
        ),
    block: (key, duration) =>
      withinTimeout(options.blocks.set(key, Math.max(1, Math.ceil(Duration.toMillis(duration))))),
    state: (key) =>
      Effect.map(withinTimeout(options.blocks.get(key)), ({ generation, millis }) => ({
        blockedFor: Duration.millis(millis),
        generation
      }))
  }
}
