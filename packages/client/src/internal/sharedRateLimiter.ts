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

/** Where a limiter keeps the blocks: in memory, or in Redis beside its counters. */
export interface Blocks {
  /** Blocks `key` for `millis`, unless it is already blocked for longer. */
  readonly set: (key: string, millis: number) => Effect.Effect<void, ClerkRateLimiterUnavailable>
  /** The milliseconds `key` stays blocked; 0 when it is not. */
  readonly remaining: (key: string) => Effect.Effect<number, ClerkRateLimiterUnavailable>
}

/** Blocks in this process's memory, on the `Clock`. */
export const memoryBlocks: Effect.Effect<Blocks> = Effect.sync(() => {
  const until = new Map<string, number>()
  return {
    set: (key, millis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        until.set(key, Math.max(until.get(key) ?? 0, now + millis))
      }),
    remaining: (key) => Effect.map(Clock.currentTimeMillis, (now) => Math.max(0, (until.get(key) ?? now) - now))
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
export const bounded = (timeout: Duration.Duration) =>
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

export const make = (options: MakeOptions): SharedRateLimiter.Service => {
  const withinTimeout = bounded(options.timeout)
  return {
    onUnavailable: options.onUnavailable,
    consume: ({ key, limit, window }) =>
      options.limiter.consume({ key, limit, window, algorithm: "fixed-window", onExceeded: "delay" }).pipe(
        Effect.mapError((error) => options.unavailable(error.reason === "StoreError" ? error.cause : error)),
        withinTimeout,
        Effect.flatMap(({ delay }) => Duration.isZero(delay) ? Effect.void : Effect.sleep(delay))
      ),
    block: (key, duration) => withinTimeout(options.blocks.set(key, Math.ceil(Duration.toMillis(duration)))),
    blockedFor: (key) => Effect.map(withinTimeout(options.blocks.remaining(key)), Duration.millis)
  }
}
