/**
 * When the one HTTP path sends a request again: which failures are retryable, the schedule of waits, and the driver
 * that runs it.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { ClerkRateLimiterUnavailable, ClerkStatusError, ClerkTransportError } from "../ClerkError.js"

/** @internal How an attempt can fail: a status, the transport, or the shared rate limiter. */
export type AttemptError = ClerkStatusError | ClerkTransportError | ClerkRateLimiterUnavailable

/** @internal The client's settings the policy reads. */
export interface Policy {
  readonly maxRetries: number
  readonly maxRetryAfter: Duration.Duration
  readonly retryCreateOnAmbiguousFailure: boolean
}

const provablyNotSent = (error: ClerkTransportError): boolean =>
  error.reason === "ConnectionRefused" || error.reason === "DnsLookupFailed"

/** Whether an attempt that failed with `error` may be sent again. */
const isRetryable = (
  policy: Policy,
  idempotent: boolean,
  error: AttemptError
): boolean => {
  switch (error._tag) {
    case "ClerkRateLimited":
      // Clerk refuses a rate-limited request before acting on it, so even `create` may be sent again.
      return error.retryAfter === undefined || Duration.lessThanOrEqualTo(error.retryAfter, policy.maxRetryAfter)
    case "ClerkServerError":
      return idempotent || policy.retryCreateOnAmbiguousFailure
    case "ClerkTransportError":
      return provablyNotSent(error) || idempotent || policy.retryCreateOnAmbiguousFailure
    default:
      return false
  }
}

/** The first wait; each retry doubles it, up to {@link maxBackoff}, then ±20 % jitter. */
const baseBackoff = Duration.millis(250)
/** The longest wait between two attempts, Retry-After aside. */
const maxBackoff = Duration.seconds(8)

/**
 * @internal
 * The waits between attempts: exponential with jitter, at least a 429's `Retry-After`, at most `maxRetries` of them,
 * and only while the error is retryable.
 */
export const retrySchedule = (
  policy: Policy,
  idempotent: boolean
): Schedule.Schedule<unknown, AttemptError> =>
  Schedule.exponential(baseBackoff, 2).pipe(
    Schedule.union(Schedule.spaced(maxBackoff)),
    Schedule.jittered,
    Schedule.zipRight(Schedule.identity<AttemptError>()),
    // A Retry-After is the shortest wait; beyond `maxRetryAfter` the error is not retried at all.
    Schedule.modifyDelay((error, delay) =>
      error._tag === "ClerkRateLimited" && error.retryAfter !== undefined
        ? Duration.max(delay, error.retryAfter)
        : delay
    ),
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.whileInput((error: AttemptError) => isRetryable(policy, idempotent, error))
  )

/**
 * @internal
 * Runs `attempt`, and only once it has failed, the retry schedule with that failure as its first input: a call that
 * succeeds at once never builds the schedule's driver, which a plain `Effect.retry` does for every call.
 */
export const retryAfterFailure = <A, E, R>(
  attempt: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, E>
): Effect.Effect<A, E, R> =>
  Effect.catchAll(attempt, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const next = (error: E): Effect.Effect<A, E, R> =>
        Effect.matchEffect(driver.next(error), {
          // The schedule is done (no retry left, or the error is not retryable): the last error stands.
          onFailure: () => Effect.fail(error),
          onSuccess: () => Effect.catchAll(attempt, next)
        })
      return next(first)
    }))
