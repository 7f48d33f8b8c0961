import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { Emulator, Mock } from "@effect-clerk/test-kit"
import { HttpClient } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, Exit, Fiber, Layer, Random, Redacted, TestClock } from "effect"
import { expectFields } from "./support.js"

const params = { userId: "user_1", actor: { sub: "user_2" } }

/** Runs `effect` against a scripted transport, letting the TestClock run far enough for every wait. */
const run = <A, E>(
  script: Mock.Script,
  effect: Effect.Effect<A, E, ClerkClient.ClerkClient>,
  options: Partial<ClerkClient.Options> = {}
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.exit(effect))
    yield* TestClock.adjust(Duration.minutes(10))
    const exit = yield* Fiber.join(fiber)
    const recorder = yield* Mock.MockRecorder
    return { exit, requests: yield* recorder.count() }
  }).pipe(Effect.provide(Mock.layer(script, options)))

const failureTag = <A, E extends { readonly _tag: string }>(exit: Exit.Exit<A, E>) =>
  Exit.match(exit, {
    onSuccess: () => "success",
    onFailure: (cause) => cause._tag === "Fail" ? cause.error._tag : `cause:${cause._tag}`
  })

/** The typed error an exit failed with; fails the test on a success, a defect or an interruption. */
const typedError = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert(Exit.isFailure(exit), "expected a typed error, got a success")
  assert(exit.cause._tag === "Fail", `expected a typed error, got ${Cause.pretty(exit.cause)}`)
  return exit.cause.error
}

/** The Clock's time in the Retry-After tests: far from the epoch (where the TestClock starts) and from today. */
const now = Date.parse("2030-01-15T12:00:00Z")

const seeds = Array.from({ length: 20 }, (_, i) => `jitter-${i}`)

/**
 * The two backoff waits (ms) before the 2nd and the 3rd attempt of a revoke answered 503 every time, with the Random
 * service seeded by `seed`: the time of each request is read from the TestClock as the transport receives it.
 */
const backoffWaits = (seed: string) =>
  Effect.gen(function*() {
    const { httpClient } = yield* Mock.make({ revoke: Mock.respond(503) })
    const times: Array<number> = []
    const timed = HttpClient.tapRequest(httpClient, () => Effect.map(Clock.currentTimeMillis, (t) => times.push(t)))
    const client = ClerkClient.layer({ secretKey: Redacted.make(Emulator.defaultSecretKey), maxRetries: 2 }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, timed))
    )
    const fiber = yield* ActorTokens.revoke("act_1").pipe(
      Effect.exit,
      Effect.provide(client),
      Effect.withRandom(Random.make(seed)),
      Effect.fork
    )
    yield* TestClock.adjust(Duration.seconds(10))
    yield* Fiber.join(fiber)
    expect(times).toHaveLength(3)
    // Rounded to the µs: the TestClock's time is a float that grows from one run to the next.
    const wait = (from: number, to: number) => Math.round((times[to]! - times[from]!) * 1000) / 1000
    return [wait(0, 1), wait(1, 2)] as const
  })

describe("revoke retries (idempotent)", () => {
  // Each transient failure, and the typed error the caller gets once the retries are spent.
  const transient: ReadonlyArray<[string, Mock.Reply, Record<string, unknown>]> = [
    ["500", Mock.respond(500), { _tag: "ClerkServerError", status: 500 }],
    ["502 HTML", Mock.respond(502, "<html>bad gateway</html>"), {
      _tag: "ClerkServerError",
      status: 502,
      errors: [],
      message: "Clerk answered 502 Bad Gateway"
    }],
    ["503", Mock.respond(503), { _tag: "ClerkServerError", status: 503 }],
    ["504", Mock.respond(504), { _tag: "ClerkServerError", status: 504 }],
    ["429", Mock.respond(429, undefined, { headers: { "retry-after": "1" } }), {
      _tag: "ClerkRateLimited",
      status: 429,
      retryAfter: Duration.seconds(1)
    }],
    ["a reset connection", Mock.fail("ECONNRESET"), { _tag: "ClerkTransportError", reason: "ConnectionReset" }],
    ["a refused connection", Mock.fail("ECONNREFUSED"), { _tag: "ClerkTransportError", reason: "ConnectionRefused" }],
    ["a stall past the timeout", Mock.stall, { _tag: "ClerkTransportError", reason: "Timeout" }]
  ]
  for (const [name, reply, error] of transient) {
    it.effect(`retries after ${name} and succeeds on the next attempt`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run(
          { revoke: [reply, Mock.actorToken({ status: "revoked" })] },
          ActorTokens.revoke("act_1")
        )
        expect(failureTag(exit)).toBe("success")
        expect(requests).toBe(2)
      }))
    it.effect(`gives up after maxRetries + 1 attempts of ${name}`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run({ revoke: reply }, ActorTokens.revoke("act_1"), { maxRetries: 3 })
        expectFields(typedError(exit), error)
        expect(requests).toBe(4)
      }))
  }

  it.effect("maxRetries: 0 sends exactly one request", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* run({ revoke: Mock.respond(503) }, ActorTokens.revoke("act_1"), {
        maxRetries: 0
      })
      expect(failureTag(exit)).toBe("ClerkServerError")
      expect(requests).toBe(1)
    }))

  const final: ReadonlyArray<[number, string]> = [
    [400, "ClerkBadRequest"],
    [401, "ClerkUnauthorized"],
    [402, "ClerkPaymentRequired"],
    [403, "ClerkForbidden"],
    [404, "ClerkNotFound"],
    [422, "ClerkUnprocessableEntity"],
    [409, "ClerkUnexpectedStatus"]
  ]
  for (const [status, tag] of final) {
    it.effect(`never retries ${status}`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run({ revoke: Mock.respond(status) }, ActorTokens.revoke("act_1"))
        expect(failureTag(exit)).toBe(tag)
        expect(requests).toBe(1)
      }))
  }

  it.effect("never retries a 200 whose body does not decode", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* run({ revoke: Mock.respond(200, "{") }, ActorTokens.revoke("act_1"))
      expect(failureTag(exit)).toBe("ClerkDecodeError")
      expect(requests).toBe(1)
    }))
})

describe("create retries (not idempotent)", () => {
  const ambiguous: ReadonlyArray<[string, Mock.Reply, string]> = [
    ["500", Mock.respond(500), "ClerkServerError"],
    ["502", Mock.respond(502), "ClerkServerError"],
    ["503", Mock.respond(503), "ClerkServerError"],
    ["504", Mock.respond(504), "ClerkServerError"],
    ["a reset connection", Mock.fail("ECONNRESET"), "ClerkTransportError"],
    ["an unknown transport failure", Mock.fail("EPROTO"), "ClerkTransportError"],
    ["a stall past the timeout", Mock.stall, "ClerkTransportError"]
  ]
  for (const [name, reply, tag] of ambiguous) {
    it.effect(`is sent once after ${name} (the token may exist)`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run({ create: [reply, Mock.actorToken()] }, ActorTokens.create(params))
        expect(failureTag(exit)).toBe(tag)
        expect(requests).toBe(1)
      }))
    it.effect(`is retried after ${name} with retryCreateOnAmbiguousFailure`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run({ create: [reply, Mock.actorToken()] }, ActorTokens.create(params), {
          retryCreateOnAmbiguousFailure: true
        })
        expect(failureTag(exit)).toBe("success")
        expect(requests).toBe(2)
      }))
  }

  const safe: ReadonlyArray<[string, Mock.Reply]> = [
    ["429", Mock.respond(429, undefined, { headers: { "retry-after": "2" } })],
    ["a refused connection", Mock.fail("ECONNREFUSED")],
    ["a failed DNS lookup", Mock.fail("ENOTFOUND")]
  ]
  for (const [name, reply] of safe) {
    it.effect(`is retried after ${name} (the request never took effect)`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* run({ create: [reply, reply, Mock.actorToken()] }, ActorTokens.create(params))
        expect(failureTag(exit)).toBe("success")
        expect(requests).toBe(3)
      }))
  }
})

describe("waits", () => {
  it.effect("Retry-After (seconds) is the minimum wait before the next attempt", () =>
    Effect.gen(function*() {
      const recorder = yield* Mock.MockRecorder
      const fiber = yield* Effect.fork(ActorTokens.revoke("act_1"))
      yield* TestClock.adjust(Duration.millis(4_900))
      expect(yield* recorder.count()).toBe(1)
      yield* TestClock.adjust(Duration.millis(200))
      const token = yield* Fiber.join(fiber)
      expect(token.status).toBe("revoked")
      expect(yield* recorder.count()).toBe(2)
    }).pipe(
      Effect.provide(Mock.layer({
        revoke: [
          Mock.clerkError(429, "too_many_requests", "slow down", { headers: { "retry-after": "5" } }),
          Mock.actorToken({ status: "revoked" })
        ]
      }))
    ))

  it.effect("Retry-After as an HTTP date is honoured too, relative to the Clock", () =>
    Effect.gen(function*() {
      // A realistic Clock, far from both the epoch and the machine's time: a version reading the date against
      // either would wait decades (refused as beyond maxRetryAfter) instead of 20 s.
      yield* TestClock.setTime(now)
      const recorder = yield* Mock.MockRecorder
      const fiber = yield* Effect.fork(ActorTokens.create(params))
      yield* TestClock.adjust(Duration.seconds(19))
      expect(yield* recorder.count()).toBe(1)
      yield* TestClock.adjust(Duration.seconds(2))
      yield* Fiber.join(fiber)
      expect(yield* recorder.count()).toBe(2)
    }).pipe(
      Effect.provide(Mock.layer({
        create: [
          Mock.respond(429, undefined, { headers: { "retry-after": new Date(now + 20_000).toUTCString() } }),
          Mock.actorToken()
        ]
      }))
    ))

  it.effect("a Retry-After beyond maxRetryAfter fails at once, without sleeping", () =>
    Effect.gen(function*() {
      const recorder = yield* Mock.MockRecorder
      const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip)
      expect(error._tag).toBe("ClerkRateLimited")
      expect(yield* recorder.count()).toBe(1)
    }).pipe(
      Effect.provide(Mock.layer({
        revoke: Mock.respond(429, undefined, { headers: { "retry-after": "61" } })
      }))
    ))

  it.effect("maxRetryAfter is configurable", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* run(
        { revoke: [Mock.respond(429, undefined, { headers: { "retry-after": "120" } }), Mock.actorToken()] },
        ActorTokens.revoke("act_1"),
        { maxRetryAfter: "5 minutes" }
      )
      expect(failureTag(exit)).toBe("success")
      expect(requests).toBe(2)
    }))

  it.effect("backoff grows exponentially with jitter (250 ms, then 500 ms, ±20 %)", () =>
    Effect.gen(function*() {
      const waits = yield* Effect.forEach(seeds, backoffWaits)
      for (const [first, second] of waits) {
        expect(first).toBeGreaterThanOrEqual(200)
        expect(first).toBeLessThanOrEqual(300)
        expect(second).toBeGreaterThanOrEqual(400)
        expect(second).toBeLessThanOrEqual(600)
      }
      // Jitter: over the seeds the waits spread across their ±20 % band instead of sitting at 250 and 500 ms…
      const spread = (values: ReadonlyArray<number>) => Math.max(...values) - Math.min(...values)
      expect(spread(waits.map(([first]) => first))).toBeGreaterThan(50)
      expect(spread(waits.map(([, second]) => second))).toBeGreaterThan(100)
      // …and they come from the Random service: the same seed gives the same waits.
      expect(yield* backoffWaits(seeds[0]!)).toEqual(waits[0])
    }))

  it.effect("the per-attempt timeout ends a stalled attempt (default 10 s)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(ActorTokens.create(params).pipe(Effect.flip))
      yield* TestClock.adjust(Duration.millis(9_999))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.millis(1))
      const error = yield* Fiber.join(fiber)
      expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
    }).pipe(Effect.provide(Mock.layer({ create: Mock.stall }))))

  it.effect("the timeout covers a slow response as well", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* run(
        { create: Mock.actorToken({}, { delay: "3 seconds" }) },
        ActorTokens.create(params),
        { timeout: "2 seconds" }
      )
      expect(failureTag(exit)).toBe("ClerkTransportError")
      expect(requests).toBe(1)
    }))

  it.effect("the whole call is bounded: attempts × timeout + waits", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(ActorTokens.revoke("act_1").pipe(Effect.flip))
      // 3 attempts × 1 s timeout + backoff waits (≤ 300 ms + ≤ 600 ms) < 4 s
      yield* TestClock.adjust(Duration.seconds(4))
      const error = yield* Fiber.join(fiber)
      expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.stall }, { timeout: "1 second" }))))
})

describe("client-side rate limit", () => {
  it.effect("holds requests beyond `limit` per `interval` until the next window", () =>
    Effect.gen(function*() {
      const recorder = yield* Mock.MockRecorder
      const fiber = yield* Effect.fork(
        Effect.forEach(["act_1", "act_2", "act_3", "act_4", "act_5"], ActorTokens.revoke, { concurrency: 5 })
      )
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* recorder.count()).toBe(2)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* recorder.count()).toBe(4)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* recorder.count()).toBe(5)
      expect(yield* Fiber.join(fiber)).toHaveLength(5)
    }).pipe(
      Effect.provide(Mock.layer({ revoke: Mock.actorToken({ status: "revoked" }) }, {
        rateLimit: { limit: 2, interval: "1 second" }
      }))
    ))
})
