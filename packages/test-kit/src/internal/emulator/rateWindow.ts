/**
 * The rate limit: a fixed window on the clock. The first admitted request opens a window of `interval`; at most
 * `limit` requests are admitted until it ends; the first request after it opens the next one.
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** @internal The current window: when it opened, and how many requests it admitted; `undefined` before the first. */
export type RateWindow = { readonly start: number; readonly count: number } | undefined

/** @internal */
export const empty: RateWindow = undefined

/** @internal `limit` requests per `interval`. */
export interface RateLimit {
  readonly limit: number
  readonly interval: Duration.Duration
}

/**
 * @internal Admits a request at `now` (`None`), or refuses it with the whole seconds until the window ends (at least
 * 1), the `Retry-After` Clerk sends. A refused request does not count.
 */
export const admit = (
  window: RateWindow,
  now: number,
  rateLimit: RateLimit
): readonly [Option.Option<number>, RateWindow] => {
  const interval = Duration.toMillis(rateLimit.interval)
  const current = window !== undefined && now < window.start + interval ? window : { start: now, count: 0 }
  if (current.count >= rateLimit.limit) {
    return [Option.some(Math.max(1, Math.ceil((current.start + interval - now) / 1000))), current]
  }
  return [Option.none(), { start: current.start, count: current.count + 1 }]
}
