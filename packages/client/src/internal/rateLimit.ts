/**
 * The client's rate limit: in-process (an Effect `RateLimiter`), or shared across processes when a
 * `SharedRateLimiter` is in context, with the in-process limiter as the fallback of `onUnavailable: "continue"`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { ClerkRateLimiterUnavailable } from "../ClerkError.js"
import type * as SharedRateLimiter from "../SharedRateLimiter.js"

/** How the HTTP layer uses the limit: read once when the client is built. */
export interface Limit {
  /** Holds an attempt until the limit lets it go. */
  readonly take: Effect.Effect<void, ClerkRateLimiterUnavailable>
  /** Clerk answered 429 with this `Retry-After`: holds every attempt that shares the limit until it has passed. */
  readonly blockFor: (retryAfter: Duration.Duration) => Effect.Effect<void>
}

/** The client's `rateLimit` option, resolved. */
export interface Options {
  readonly limit: number
  readonly interval: Duration.Duration
  readonly key: Option.Option<string>
}

const unlimited: Limit = { take: Effect.void, blockFor: () => Effect.void }

/**
 * The default key of a Clerk instance: a SHA-256 hash of its secret key (with a prefix of its own, so that it matches
 * no other hash of the key). Every process with the key derives the same one; the key cannot be read back from it.
 */
const instanceKey = (secretKey: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(`effect-clerk/rate-limit:${Redacted.value(secretKey)}`)
    )
  ).pipe(
    Effect.map((digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(""))
  )

/** Builds the limit; `rateLimit` unset means no limit, whatever is in context. */
export const make = (
  rateLimit: Option.Option<Options>,
  shared: Option.Option<SharedRateLimiter.Service>,
  secretKey: Redacted.Redacted<string>
): Effect.Effect<Limit, never, Scope.Scope> =>
  Option.match(rateLimit, {
    onNone: () => Effect.succeed(unlimited),
    onSome: (options) =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({
          limit: options.limit,
          interval: options.interval,
          algorithm: "fixed-window"
        })
        // Take the permit, then yield: the waiters a new window releases all take their permits before any of them
        // runs its request, so the next window starts on time rather than after the batch's synchronous work.
        const local = limiter(Effect.yieldNow())
        if (Option.isNone(shared)) return { take: local, blockFor: () => Effect.void }
        const key = Option.isSome(options.key) ? options.key.value : yield* instanceKey(secretKey)
        return yield* makeShared(shared.value, key, options, local)
      })
  })

const makeShared = (
  shared: SharedRateLimiter.Service,
  key: string,
  options: Options,
  local: Effect.Effect<void>
): Effect.Effect<Limit> =>
  Effect.map(Effect.all([Ref.make(false), Ref.make({ generation: 0, blockedUntil: 0 })]), ([degraded, known]) => {
    // A permit of the generation last seen, then the state: a block recorded meanwhile by any process is waited out,
    // and a permit taken before a block is void (counting starts afresh after it), so another one is taken. A block
    // this process already knows of is waited out before taking a permit, so that the new count starts after it.
    const permit: Effect.Effect<void, ClerkRateLimiterUnavailable> = Effect.gen(function*() {
      const before = yield* Ref.get(known)
      const start = yield* Clock.currentTimeMillis
      if (before.blockedUntil > start) yield* Effect.sleep(Duration.millis(before.blockedUntil - start))
      yield* shared.consume({ key: `${key}:${before.generation}`, limit: options.limit, window: options.interval })
      const state = yield* shared.state(key)
      const now = yield* Clock.currentTimeMillis
      yield* Ref.update(known, (latest) => ({
        generation: Math.max(latest.generation, state.generation),
        blockedUntil: Math.max(latest.blockedUntil, now + Duration.toMillis(state.blockedFor))
      }))
      if (!Duration.isZero(state.blockedFor)) yield* Effect.sleep(state.blockedFor)
      if (!Duration.isZero(state.blockedFor) || state.generation !== before.generation) return yield* permit
    })
    const take = shared.onUnavailable === "fail" ? permit : permit.pipe(
      Effect.zipRight(
        Effect.whenEffect(
          Effect.logInfo("Clerk rate limit: the shared rate limiter is available again"),
          Ref.getAndSet(degraded, false)
        )
      ),
      Effect.catchAll((error) =>
        Effect.zipRight(
          Effect.whenEffect(
            Effect.logWarning(
              `Clerk rate limit: ${error.message}; going on with this process's own limit only ` +
                `(${options.limit} per ${Duration.format(options.interval)}) until it is back`
            ),
            Effect.map(Ref.getAndSet(degraded, true), (was) => !was)
          ),
          local
        )
      )
    )
    return {
      take: Effect.asVoid(take),
      blockFor: (retryAfter) =>
        shared.block(key, retryAfter).pipe(
          Effect.catchAll((error) => Effect.logDebug(`Clerk rate limit: the 429 could not be shared: ${error.message}`))
        )
    }
  })
