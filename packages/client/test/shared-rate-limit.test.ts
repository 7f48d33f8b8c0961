/**
 * The wiring of the shared rate limit, on the TestClock: clients built over one `SharedRateLimiter` (here
 * `@effect/experimental`'s memory store, or a scripted one) share one budget and one block after a 429; the key is a
 * hash of the secret key; an unavailable limiter fails the call or falls back to the in-process limit.
 */
import { ActorTokens, type ClerkClient, ClerkError, SharedRateLimiter } from "@effect-clerk/client"
import * as ExperimentalRateLimiter from "@effect-clerk/client/ExperimentalRateLimiter"
import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
import { Mock, Observe } from "@effect-clerk/test-kit"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Fiber, Layer, Redacted, TestClock } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { endsWithin, expectFields, joinWithin } from "./support.js"

const KEY = "sk_test_SHARED_SENTINEL_4d2e"
const revoked = Mock.actorToken({ status: "revoked" })
const rateLimit = { limit: 2, interval: "1 second" } as const

/** A shared limiter over `@effect/experimental`'s memory store (it reads the TestClock). */
const memoryLimiter = ExperimentalRateLimiter.make().pipe(
  Effect.provide(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)))
)

/** A client over the mock transport, built over `shared`: runs effects with it, counts its requests. */
const client = (shared: SharedRateLimiter.Service, script: Mock.Script, options: Partial<ClerkClient.Options> = {}) =>
  Effect.map(
    Layer.build(
      Mock.layer(script, { secretKey: Redacted.make(KEY), rateLimit, ...options }).pipe(
        Layer.provide(Layer.succeed(SharedRateLimiter.SharedRateLimiter, shared))
      )
    ),
    (context) => ({
      run: <A, E>(effect: Effect.Effect<A, E, ClerkClient.ClerkClient>) => Effect.provide(effect, context),
      requests: Context.get(context, Mock.MockRecorder).count()
    })
  )

const revokeAll = (n: number) =>
  Effect.forEach(Array.from({ length: n }, (_, i) => `act_${i}`), ActorTokens.revoke, { concurrency: "unbounded" })

/** A limiter whose every call fails, as a store that is down; `calls` counts them. */
const failingLimiter = (onUnavailable: SharedRateLimiter.OnUnavailable) => {
  let calls = 0
  let down = true
  const attempt = Effect.suspend(() => {
    calls++
    return down
      ? Effect.fail(new ClerkError.ClerkRateLimiterUnavailable({ reason: "Unreachable", message: "the store is down" }))
      : Effect.void
  })
  const service: SharedRateLimiter.Service = {
    onUnavailable,
    consume: () => attempt,
    block: () => attempt,
    state: () => Effect.as(attempt, { blockedFor: Duration.zero, generation: 0 })
  }
  return { service, calls: () => calls, setDown: (value: boolean) => (down = value) }
}

describe("shared rate limit (memory store, TestClock)", () => {
  it.scoped("two clients over one limiter share one budget: `limit` per `interval` between them", () =>
    Effect.gen(function*() {
      const shared = yield* memoryLimiter
      const a = yield* client(shared, { revoke: revoked })
      const b = yield* client(shared, { revoke: revoked })
      const fiberA = yield* Effect.fork(a.run(revokeAll(3)))
      const fiberB = yield* Effect.fork(b.run(revokeAll(3)))
      const total = Effect.zipWith(a.requests, b.requests, (x, y) => x + y)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* total).toBe(2)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* total).toBe(4)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* total).toBe(6)
      yield* Fiber.join(fiberA)
      yield* Fiber.join(fiberB)
    }))

  it.scoped("control: two clients with in-process limits each send `limit` in the first window", () =>
    Effect.gen(function*() {
      const a = yield* Layer.build(Mock.layer({ revoke: revoked }, { rateLimit }))
      const b = yield* Layer.build(Mock.layer({ revoke: revoked }, { rateLimit }))
      yield* Effect.fork(Effect.provide(revokeAll(3), a))
      yield* Effect.fork(Effect.provide(revokeAll(3), b))
      yield* TestClock.adjust(Duration.millis(1))
      const requests = (yield* Context.get(a, Mock.MockRecorder).count()) +
        (yield* Context.get(b, Mock.MockRecorder).count())
      expect(requests).toBe(4)
    }))

  it.scoped("a 429 with Retry-After in one client holds the other client's attempts until it has passed", () =>
    Effect.gen(function*() {
      const shared = yield* memoryLimiter
      const a = yield* client(shared, {
        revoke: [Mock.respond(429, undefined, { headers: { "retry-after": "5" } }), revoked]
      }, { rateLimit: { limit: 100, interval: "1 second" } })
      const b = yield* client(shared, { revoke: revoked }, { rateLimit: { limit: 100, interval: "1 second" } })
      const fiberA = yield* Effect.fork(a.run(ActorTokens.revoke("act_a")))
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* a.requests).toBe(1)
      const fiberB = yield* Effect.fork(b.run(ActorTokens.revoke("act_b")))
      yield* TestClock.adjust(Duration.millis(3_900))
      expect(yield* b.requests).toBe(0)
      yield* TestClock.adjust(Duration.millis(200))
      expect(yield* b.requests).toBe(1)
      expect(yield* a.requests).toBe(2)
      yield* Fiber.join(fiberA)
      yield* Fiber.join(fiberB)
    }))

  it.scoped("after a block, counting starts afresh: at most `limit` in the first `interval` after it", () =>
    Effect.gen(function*() {
      const shared = yield* memoryLimiter
      const a = yield* client(shared, {
        revoke: [Mock.respond(429, undefined, { headers: { "retry-after": "2" }, delay: "100 millis" }), revoked]
      })
      const b = yield* client(shared, { revoke: revoked })
      const total = Effect.zipWith(a.requests, b.requests, (x, y) => x + y)
      // A and B take the first window's two permits, B's next three wait for the windows at 1 s and 2 s; A's 429
      // arrives at 100 ms: a block until 2.1 s.
      const fiberA = yield* Effect.fork(a.run(ActorTokens.revoke("act_a")))
      const fiberB = yield* Effect.fork(b.run(revokeAll(4)))
      yield* TestClock.adjust(Duration.seconds(2))
      expect(yield* total).toBe(2)
      // A new window starts at 2.1 s: two of the four waiting (B's three, A's retry) go, the other two at 3.1 s.
      // Counting on from before the block, one would go in the window begun at 2 s and two at 3 s: three in a second.
      yield* TestClock.adjust(Duration.millis(1_050))
      expect(yield* total).toBe(4)
      yield* TestClock.adjust(Duration.millis(100))
      expect(yield* total).toBe(6)
      yield* Fiber.join(fiberA)
      yield* Fiber.join(fiberB)
    }))

  it.scoped("a block lasts at most `maxRetryAfter`, the longest wait the client accepts", () =>
    Effect.gen(function*() {
      const shared = yield* memoryLimiter
      const options = { rateLimit: { limit: 100, interval: "1 second" }, maxRetryAfter: "30 seconds" } as const
      const a = yield* client(shared, {
        revoke: Mock.respond(429, undefined, { headers: { "retry-after": "3600" } })
      }, options)
      const b = yield* client(shared, { revoke: revoked }, options)
      const error = yield* Effect.flip(a.run(ActorTokens.revoke("act_a")))
      expect(error._tag).toBe("ClerkRateLimited")
      const fiberB = yield* Effect.fork(b.run(ActorTokens.revoke("act_b")))
      yield* TestClock.adjust(Duration.millis(29_900))
      expect(yield* b.requests).toBe(0)
      yield* TestClock.adjust(Duration.millis(200))
      expect(yield* b.requests).toBe(1)
      yield* Fiber.join(fiberB)
    }))

  it.scoped("a store that never answers ends the call with ClerkRateLimiterUnavailable(Timeout) after `timeout`", () =>
    Effect.gen(function*() {
      const stalled = Layer.succeed(RateLimiter.RateLimiterStore, {
        fixedWindow: () => Effect.never,
        tokenBucket: () => Effect.never
      })
      const shared = yield* ExperimentalRateLimiter.make({ timeout: "2 seconds" }).pipe(
        Effect.provide(RateLimiter.layer.pipe(Layer.provide(stalled)))
      )
      const a = yield* client(shared, { revoke: revoked })
      const fiber = yield* Effect.fork(a.run(Effect.flip(ActorTokens.revoke("act_1"))))
      yield* TestClock.adjust(Duration.millis(1_999))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.millis(1))
      const error = yield* joinWithin(fiber, 2_000, "the limiter's 2 s timeout has passed on the TestClock")
      expectFields(error, { _tag: "ClerkRateLimiterUnavailable", reason: "Timeout" })
      expect(yield* a.requests).toBe(0)
    }))
})

describe("the instance key", () => {
  const keysSeen = () => {
    const keys: Array<string> = []
    const service: SharedRateLimiter.Service = {
      onUnavailable: "fail",
      consume: ({ key }) => Effect.sync(() => void keys.push(key)),
      block: () => Effect.void,
      state: () => Effect.succeed({ blockedFor: Duration.zero, generation: 0 })
    }
    return { service, keys }
  }

  it.scoped("defaults to the SHA-256 hash of the secret key: the same for every client with it, never the key", () =>
    Effect.gen(function*() {
      const { keys, service } = keysSeen()
      for (const secretKey of [KEY, KEY, "sk_test_another_application"]) {
        const c = yield* client(service, { revoke: revoked }, { secretKey: Redacted.make(secretKey) })
        yield* c.run(ActorTokens.revoke("act_1"))
      }
      // The counter of generation 0 of the instance's key.
      const expected = `${createHash("sha256").update(`effect-clerk/rate-limit:${KEY}`).digest("hex")}:0`
      expect(keys[0]).toBe(expected)
      expect(keys[1]).toBe(expected)
      expect(keys[2]).toMatch(/^[0-9a-f]{64}:0$/)
      expect(keys[2]).not.toBe(expected)
      expect(keys.join(" ")).not.toContain("sk_test")
    }))

  it.scoped("rateLimit.key replaces it", () =>
    Effect.gen(function*() {
      const { keys, service } = keysSeen()
      const c = yield* client(service, { revoke: revoked }, { rateLimit: { ...rateLimit, key: "backoffice-prod" } })
      yield* c.run(ActorTokens.revoke("act_1"))
      expect(keys).toEqual(["backoffice-prod:0"])
    }))

  for (
    const [name, key] of [
      ["the secret key itself", KEY],
      ["an empty key", ""],
      ["a key with a colon", "app:prod"]
    ] as const
  ) {
    it.effect(`rateLimit.key refuses ${name}, naming the option and never the secret key`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Layer.build(Mock.layer({}, { secretKey: Redacted.make(KEY), rateLimit: { ...rateLimit, key } })).pipe(
            Effect.scoped
          )
        )
        expectFields(error, { _tag: "ClerkConfigError", option: "rateLimit.key" })
        expect(JSON.stringify(error)).not.toContain(KEY)
      }))
  }
})

describe("an unavailable shared limiter", () => {
  it.scoped("onUnavailable: \"fail\" fails the call with ClerkRateLimiterUnavailable, sends nothing, never retries", () =>
    Effect.gen(function*() {
      const limiter = failingLimiter("fail")
      const c = yield* client(limiter.service, { revoke: revoked }, { maxRetries: 5 })
      const error = yield* Effect.flip(c.run(ActorTokens.revoke("act_1")))
      expectFields(error, { _tag: "ClerkRateLimiterUnavailable", reason: "Unreachable" })
      expect(yield* c.requests).toBe(0)
      expect(limiter.calls()).toBe(1)
    }))

  it.scoped("onUnavailable: \"continue\" goes on under the in-process limit, warning once until it is back", () =>
    Effect.gen(function*() {
      const limiter = failingLimiter("continue")
      const c = yield* client(limiter.service, { revoke: revoked })
      const captured = yield* Observe.Captured
      const warnings = Effect.map(captured.logs, (logs) => logs.filter((log) => log.level === "WARN").length)

      const fiber = yield* Effect.fork(c.run(revokeAll(3)))
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* c.requests).toBe(2) // the in-process limit: 2 per second
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.join(fiber)
      expect(yield* c.requests).toBe(3)
      expect(yield* warnings).toBe(1)

      limiter.setDown(false)
      yield* c.run(ActorTokens.revoke("act_back"))
      const logs = yield* captured.logs
      expect(logs.some((log) => log.level === "INFO" && String(log.message).includes("available again"))).toBe(true)
      limiter.setDown(true)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* c.run(ActorTokens.revoke("act_down_again"))
      expect(yield* warnings).toBe(2)
    }).pipe(Effect.provide(Observe.layer)))

  it.scoped("no secret key in the errors, logs or spans of a run with a shared limiter", () =>
    Effect.gen(function*() {
      const shared = yield* memoryLimiter
      const down = failingLimiter("continue")
      const a = yield* client(shared, {
        revoke: [Mock.respond(429, undefined, { headers: { "retry-after": "1" } }), revoked]
      })
      const b = yield* client(down.service, { revoke: revoked })
      const c = yield* client(failingLimiter("fail").service, { revoke: revoked })
      const fiber = yield* Effect.fork(
        Effect.all([
          a.run(ActorTokens.revoke("act_1")),
          b.run(ActorTokens.revoke("act_2")),
          Effect.exit(c.run(ActorTokens.revoke("act_3")).pipe(Effect.tapErrorCause(Effect.logError)))
        ])
      )
      yield* TestClock.adjust(Duration.seconds(5))
      const [, , exit] = yield* Fiber.join(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const captured = yield* Observe.Captured
      const text = yield* captured.text
      expect(text).toContain("ClerkRateLimiterUnavailable")
      expect(text).not.toContain(KEY)
      expect(JSON.stringify(exit)).not.toContain(KEY)
    }).pipe(Effect.provide(Observe.layer)))
})

describe("the main entry", () => {
  const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src")

  it("loads neither @effect/experimental nor ioredis: only the deep imports do", () => {
    const seen = new Set<string>()
    const external = new Set<string>()
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      const source = readFileSync(file, "utf8")
      // Only imports that load a module at run time: `import type` is erased.
      for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)[^"]*?from\s+"([^"]+)"/gm)) {
        const specifier = match[1]!
        if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
        else external.add(specifier)
      }
    }
    visit(path.join(src, "index.ts"))
    expect(seen.size).toBeGreaterThan(5)
    expect([...external].filter((s) => s.startsWith("@effect/experimental") || s === "ioredis")).toEqual([])
    seen.clear()
    external.clear()
    visit(path.join(src, "RedisRateLimiter.ts"))
    expect(external).toContain("ioredis")
    expect(external).toContain("@effect/experimental/RateLimiter/Redis")
  })
})

describe("RedisRateLimiter options and failures, never quoting the url", () => {
  const password = "SENTINEL_REDIS_PASSWORD_51c2"

  for (
    const [name, url, option] of [
      ["a url that is not redis://", `http://user:${password}@127.0.0.1:6379`, "url"],
      ["a url that is not a url", `redis//:${password}@`, "url"],
      ["a database that is not a number", `redis://:${password}@127.0.0.1:6379/x`, "url"]
    ] as const
  ) {
    it.effect(`refuses ${name} with ClerkConfigError naming the option`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Effect.scoped(RedisRateLimiter.make({ url })))
        expectFields(error, { _tag: "ClerkConfigError", option })
        expect(JSON.stringify(error)).not.toContain(password)
        expect(String(error)).not.toContain(password)
      }))
  }

  it.live("Redis not listening: the call fails at once with ClerkRateLimiterUnavailable(Unreachable)", () =>
    Effect.gen(function*() {
      const shared = yield* RedisRateLimiter.make({ url: `redis://:${password}@127.0.0.1:1`, timeout: "200 millis" })
      const c = yield* client(shared, { revoke: revoked })
      const start = Date.now()
      const error = yield* endsWithin(Effect.flip(c.run(ActorTokens.revoke("act_1"))), 2_000, "a refused connection")
      expectFields(error, { _tag: "ClerkRateLimiterUnavailable", reason: "Unreachable" })
      expect(Date.now() - start).toBeLessThan(200)
      expect(JSON.stringify(error)).not.toContain(password)
      expect(yield* c.requests).toBe(0)
    }).pipe(Effect.scoped))
})
