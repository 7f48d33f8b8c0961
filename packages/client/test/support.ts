/**
 * Assertions the client's tests share: an error's fields compared as plain data, and a call that must have ended by
 * a given moment, which fails the test at once instead of hanging until vitest's timeout.
 */
import { assert, expect } from "@effect/vitest"
import { Effect, Fiber } from "effect"

/**
 * Asserts the fields named in `expected`, read from `actual` into a plain object and compared with `toEqual`. An
 * error failed inside a span is a Proxy carrying the span, and `toMatchObject` on it overflows the stack instead of
 * showing the mismatch.
 */
export const expectFields = (actual: unknown, expected: Readonly<Record<string, unknown>>): void => {
  const record = actual as Readonly<Record<string, unknown>>
  expect(Object.fromEntries(Object.keys(expected).map((key) => [key, record[key]]))).toEqual(expected)
}

/** Resolves after `millis` of real time, whatever clock the test runs on. */
const realDelay = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * Joins `fiber`, which must end within `millis` of real time (it only has loopback I/O or a few scheduler turns left):
 * if it has not, it is interrupted and the test fails, saying `what` was expected.
 */
export const joinWithin = <A, E>(fiber: Fiber.Fiber<A, E>, millis: number, what: string): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    const ended = yield* Effect.raceFirst(Effect.as(Fiber.await(fiber), true), Effect.as(realDelay(millis), false))
    if (!ended) {
      yield* Fiber.interruptFork(fiber)
      assert.fail(`still running ${millis} ms (real time) after it should have ended: ${what}`)
    }
    return yield* Fiber.join(fiber)
  })

/** Runs `effect`, which must end within `millis` of real time: see {@link joinWithin}. */
export const endsWithin = <A, E, R>(effect: Effect.Effect<A, E, R>, millis: number, what: string) =>
  Effect.flatMap(Effect.fork(effect), (fiber) => joinWithin(fiber, millis, what))
