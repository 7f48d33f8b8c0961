/**
 * Shared by the reliability suite: sentinel credentials, the classification of a call's `Exit` (success, typed
 * error, or anything else = a defect), the renderings an error may be shown with, and the time bound of a call.
 */
import { ClerkError } from "@effect-clerk/client"
import { Observe } from "@effect-clerk/test-kit"
import {
  Cause,
  Chunk,
  Clock,
  Duration,
  Effect,
  Exit,
  Fiber,
  HashSet,
  Layer,
  Option,
  Schema,
  TestClock,
  TestContext,
  TestServices
} from "effect"
import * as util from "node:util"

// ---------------------------------------------------------------------------------------------------------------
// sentinels
// ---------------------------------------------------------------------------------------------------------------

/** A secret key no test writes anywhere but into the client's options (and the emulator's, to accept it). */
export const sentinelKey = "sk_test_SENTINEL_reliability_key_5f0c2a91e7"

/** The part of the key after the prefix: a partial leak (a sliced or re-encoded key) is caught too. */
export const sentinelKeyCore = "SENTINEL_reliability_key_5f0c2a91e7"

/** A ticket and URL the scripted transport answers with: credentials that must never be logged. */
export const sentinelTicket = "SENTINEL_TICKET_0b7e44d2c9"
export const sentinelUrl = `https://accounts.sentinel.test/v1/tickets/accept?ticket=${sentinelTicket}`

// ---------------------------------------------------------------------------------------------------------------
// outcomes
// ---------------------------------------------------------------------------------------------------------------

/** How a call ended: a value, one typed error of the client's union, or anything else (a defect). */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: ClerkError.ClerkError }
  | { readonly _tag: "Defect"; readonly pretty: string }

const isClerkError = Schema.is(ClerkError.ClerkError)

/**
 * A failure counts as typed only if the cause holds exactly one failure, no defect and no interruption, and that
 * failure is a member of the `ClerkError` union (checked with the union's schema, not just by `_tag`).
 */
export const classify = <A>(exit: Exit.Exit<A, unknown>): Outcome<A> => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const cause = exit.cause
  const failures = Chunk.toReadonlyArray(Cause.failures(cause))
  const typed = failures.length === 1 &&
    Chunk.isEmpty(Cause.defects(cause)) &&
    HashSet.size(Cause.interruptors(cause)) === 0 &&
    isClerkError(failures[0])
  return typed
    ? { _tag: "Failure", error: failures[0] as ClerkError.ClerkError }
    : { _tag: "Defect", pretty: Cause.pretty(cause) }
}

/** `ClerkServerError(503)`, `ClerkDecodeError(InvalidJson)`, … — the tag and the one field that tells errors apart. */
export const describeError = (error: ClerkError.ClerkError): string => {
  switch (error._tag) {
    case "ClerkTransportError":
    case "ClerkDecodeError":
    case "ClerkRateLimiterUnavailable":
      return `${error._tag}(${error.reason})`
    case "ClerkInvalidInput":
      return error._tag
    default:
      return `${error._tag}(${error.status})`
  }
}

// ---------------------------------------------------------------------------------------------------------------
// secret hygiene
// ---------------------------------------------------------------------------------------------------------------

/**
 * Every way a caller may print the result of a call: the error's `message`, `String`, `JSON.stringify`,
 * `util.inspect` at full depth and `Cause.pretty`; for a success, the value the same ways.
 */
export const renderings = (exit: Exit.Exit<unknown, unknown>): ReadonlyArray<string> =>
  Exit.match(exit, {
    // A token may carry an actor nested deeper than any printer's stack (the fuzzer sends 100,000 levels): then the
    // value is rendered to a bounded depth instead, which still shows the top-level `token` and `url`.
    onSuccess: (value) =>
      [
        () => String(value),
        () => JSON.stringify(value),
        () => util.inspect(value, { depth: Infinity })
      ].map((render) => {
        try {
          return render()
        } catch (error) {
          if (!(error instanceof RangeError)) throw error
          return util.inspect(value, { depth: 8 })
        }
      }),
    onFailure: (cause) => {
      const error = Cause.squash(cause)
      return [
        error instanceof Error ? error.message : "",
        String(error),
        JSON.stringify(error),
        util.inspect(error, { depth: Infinity }),
        Cause.pretty(cause),
        util.inspect(cause, { depth: Infinity })
      ]
    }
  })

/** Everything the program logged (Debug included) and every span, rendered at full depth. */
export const capturedText: Effect.Effect<string, never, Observe.Captured> = Effect.flatMap(
  Observe.Captured,
  (captured) => captured.text
)

/** The secrets found in `texts`, with where: empty when nothing leaked. */
export const leaks = (
  texts: Readonly<Record<string, ReadonlyArray<string>>>,
  secrets: ReadonlyArray<string>
): ReadonlyArray<string> =>
  Object.entries(texts).flatMap(([where, all]) =>
    secrets.filter((secret) => all.some((text) => text.includes(secret))).map((secret) => `${secret} in ${where}`)
  )

/** The secrets found in the captured logs and spans or in the renderings of the call's result. */
export const leakedFrom = (
  exit: Exit.Exit<unknown, unknown>,
  secrets: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, never, Observe.Captured> =>
  Effect.map(capturedText, (text) => leaks({ "logs and spans": [text], renderings: renderings(exit) }, secrets))

// ---------------------------------------------------------------------------------------------------------------
// time bounds
// ---------------------------------------------------------------------------------------------------------------

/** The client's backoff (internal/http.ts): 250 ms doubling, capped at 8 s, then up to +20 % jitter. */
const maxBackoffMillis = (retry: number): number => Math.min(250 * 2 ** retry, 8_000) * 1.2

/**
 * The longest a call may take: every attempt runs into the timeout, and every wait is the longest backoff or the
 * `Retry-After`, whichever is longer.
 */
export const callBound = (options: {
  readonly attempts: number
  readonly timeout: Duration.DurationInput
  readonly retryAfter?: Duration.DurationInput | undefined
}): Duration.Duration => {
  const retryAfter = options.retryAfter === undefined ? 0 : Duration.toMillis(options.retryAfter)
  let millis = options.attempts * Duration.toMillis(options.timeout)
  for (let retry = 0; retry < options.attempts - 1; retry++) millis += Math.max(maxBackoffMillis(retry), retryAfter)
  return Duration.millis(Math.ceil(millis))
}

/**
 * The shortest a call can take: each stalled attempt runs into the timeout, and every wait is at least the shortest
 * backoff (−20 % jitter) or the `Retry-After`, whichever is longer.
 */
export const callFloor = (options: {
  readonly attempts: number
  readonly stalledAttempts: number
  readonly timeout: Duration.DurationInput
  readonly retryAfter?: Duration.DurationInput | undefined
}): Duration.Duration => {
  const retryAfter = options.retryAfter === undefined ? 0 : Duration.toMillis(options.retryAfter)
  let millis = options.stalledAttempts * Duration.toMillis(options.timeout)
  for (let retry = 0; retry < options.attempts - 1; retry++) {
    millis += Math.max(Math.min(250 * 2 ** retry, 8_000) * 0.8, retryAfter)
  }
  return Duration.millis(Math.floor(millis))
}

/** How a call run on the TestClock ended, and the virtual time it took; `None` if it had not ended (a hang). */
export interface Bounded<A> {
  readonly exit: Option.Option<Exit.Exit<A, unknown>>
  readonly elapsedMillis: number
}

/**
 * Forks the call, advances the TestClock by `bound` (TestClock.adjust runs every sleep up to then, in order, and
 * waits until all fibers are suspended), and looks: a call still running after its bound is a hang. It is
 * interrupted so the test ends either way.
 */
export const runBounded = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  bound: Duration.DurationInput
): Effect.Effect<Bounded<A>, never, R> => Effect.provide(boundedRun(effect, bound), freshTestClock)

/**
 * A TestClock of its own for each call: the TestClock never forgets a sleep, even an interrupted one (each attempt's
 * timeout leaves one), so a clock shared by hundreds of property runs would step through all of them.
 */
const freshTestClock = TestClock.defaultTestClock.pipe(
  Layer.provide(Layer.merge(TestServices.liveLayer(), TestServices.annotationsLayer())),
  Layer.provide(TestContext.LiveContext)
)

const boundedRun = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  bound: Duration.DurationInput
): Effect.Effect<Bounded<A>, never, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(Effect.zip(Effect.exit(effect), Clock.currentTimeMillis))
    // A call that needs no time ends before the clock moves; otherwise the clock is advanced up to the bound.
    const polled = yield* Effect.raceFirst(
      Effect.map(Fiber.await(fiber), Option.some),
      TestClock.adjust(bound).pipe(Effect.zipRight(TestClock.adjust(Duration.zero)), Effect.zipRight(Fiber.poll(fiber)))
    )
    if (Option.isNone(polled)) {
      yield* Fiber.interrupt(fiber)
      return { exit: Option.none(), elapsedMillis: Number.NaN }
    }
    const done = polled.value
    if (Exit.isFailure(done)) return { exit: Option.some(Exit.failCause(done.cause)), elapsedMillis: Number.NaN }
    const [exit, end] = done.value
    return { exit: Option.some(exit), elapsedMillis: end - start }
  })

// ---------------------------------------------------------------------------------------------------------------
// unhandled rejections
// ---------------------------------------------------------------------------------------------------------------

/** Collects the unhandled rejections of a test file: install in `beforeAll`, check in `afterAll`. */
export const watchUnhandledRejections = (): { readonly seen: Array<unknown>; readonly stop: () => void } => {
  const seen: Array<unknown> = []
  const listener = (reason: unknown) => {
    seen.push(reason)
  }
  process.on("unhandledRejection", listener)
  return { seen, stop: () => process.off("unhandledRejection", listener) }
}

/** A fixed fast-check seed, overridable with `RELIABILITY_SEED`, and a run count scaled by `RELIABILITY_RUNS`. */
export const fastCheckParameters = (numRuns: number): { readonly seed: number; readonly numRuns: number } => {
  const seed = process.env["RELIABILITY_SEED"]
  const scale = process.env["RELIABILITY_RUNS"]
  return {
    seed: seed === undefined ? 20_260_512 : Number(seed),
    numRuns: scale === undefined ? numRuns : Math.max(1, Math.round(numRuns * Number(scale)))
  }
}
