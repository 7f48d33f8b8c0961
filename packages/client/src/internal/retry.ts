/**
 * The retry driver of the one HTTP path: the schedule is entered only once the first attempt has failed.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/**
 * @internal
 * Runs `attempt`, and only once it has failed, the retry schedule with that failure as its first input: a call that
 * succeeds at once never builds the schedule's driver. (A plain `Effect.retry` builds it for every call: +7 ± 2 µs of
 * CPU per stubbed call against +0 ± 0 µs for this, larger than the bench's noise; on loopback both are within it.
 * bench/RESULTS.md, "retry driver".)
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
