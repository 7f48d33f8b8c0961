/**
 * Assertions the client's tests share: an error's fields compared as plain data, a call that must have ended by a
 * given moment (which fails the test at once instead of hanging until vitest's timeout), and the error table run
 * through any operation.
 */
import { type ClerkClient, ClerkError } from "@effect-clerk/client"
import { type Emulator, Mock } from "@effect-clerk/test-kit"
import { assert, expect, it } from "@effect/vitest"
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

/** An operation under test: its name in the test titles, the scripted route it calls, and the call. */
/** The answers after which a safe-to-repeat call is retried: each named for the test that uses it. */
export const retriedReplies: ReadonlyArray<readonly [string, Mock.Reply]> = [
  ["503", Mock.respond(503)],
  ["429 with Retry-After", Mock.clerkError(429, "too_many_requests", "slow down", { headers: { "retry-after": "1" } })],
  ["a reset connection", Mock.fail("ECONNRESET")],
  ["a stalled attempt", Mock.stall]
]

export type StatusCase = readonly [
  name: string,
  route: Emulator.Operation,
  call: Effect.Effect<unknown, ClerkError.ClerkError, ClerkClient.ClerkClient>
]

const statusRows = [
  [400, "ClerkBadRequest"],
  [401, "ClerkUnauthorized"],
  [402, "ClerkPaymentRequired"],
  [403, "ClerkForbidden"],
  [404, "ClerkNotFound"],
  [422, "ClerkUnprocessableEntity"],
  [429, "ClerkRateLimited"],
  [500, "ClerkServerError"],
  [503, "ClerkServerError"],
  [409, "ClerkUnexpectedStatus"]
] as const

/**
 * Declares, for each operation, one test per row of the error table (the status's error, with Clerk's code, trace
 * id and message) and one for a 200 whose body is `wrongShape`: a `ClerkDecodeError` after exactly one request.
 */
export const everyStatus = (operations: ReadonlyArray<StatusCase>, wrongShape: unknown): void => {
  for (const [name, route, call] of operations) {
    for (const [status, tag] of statusRows) {
      it.effect(`${name}: ${status} → ${tag} with Clerk's code and trace id`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(call)
          expectFields(error, { _tag: tag, status, clerkTraceId: "trace_1", message: "The long message." })
          assert(ClerkError.isClerkStatusError(error), `unexpected ${error._tag}`)
          expect(error.errors.map((entry) => entry.code)).toEqual(["some_code"])
        }).pipe(Effect.provide(Mock.layer(
          { [route]: Mock.clerkError(status, "some_code", "The long message.", { clerkTraceId: "trace_1" }) },
          { maxRetries: 0 }
        ))))
    }
    it.effect(`${name}: a 200 that is not the expected JSON → ClerkDecodeError, never retried`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(call)
        expectFields(error, { _tag: "ClerkDecodeError", reason: "SchemaMismatch" })
        expect(yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count())).toBe(1)
      }).pipe(Effect.provide(Mock.layer({ [route]: Mock.respond(200, wrongShape) }))))
  }
}
