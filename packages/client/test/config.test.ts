import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { Mock } from "@effect-clerk/test-kit"
import { HttpClient } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Fiber, Layer, Redacted, TestClock } from "effect"
import * as util from "node:util"
import { expectFields } from "./support.js"

const SECRET = "sk_test_SENTINEL_c0nfig_k3y_value"

const buildWith = (options: Partial<ClerkClient.Options>) =>
  Effect.gen(function*() {
    const { httpClient } = yield* Mock.make({})
    return yield* Layer.build(
      ClerkClient.layer({ secretKey: Redacted.make(SECRET), ...options }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient))
      )
    ).pipe(Effect.scoped, Effect.flip)
  })

const params = { userId: "user_1", actor: { sub: "user_2" } }

/**
 * Runs `effect` with a client built from `options` over a scripted transport; returns its result (a defect fails the
 * test) and the full URL of every request the transport received.
 */
const withClient = <A, E>(
  options: Partial<ClerkClient.Options>,
  script: Mock.Script,
  effect: Effect.Effect<A, E, ClerkClient.ClerkClient>
) =>
  Effect.gen(function*() {
    const { httpClient } = yield* Mock.make(script)
    const urls: Array<string> = []
    const recording = HttpClient.make((request, url) =>
      Effect.zipRight(Effect.sync(() => urls.push(url.href)), httpClient.execute(request))
    )
    const result = yield* Effect.either(effect).pipe(
      Effect.provide(
        ClerkClient.layer({ secretKey: Redacted.make(SECRET), ...options }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, recording))
        )
      )
    )
    return { result, urls }
  })

const expectNoKey = (value: unknown, key: string = SECRET) => {
  expect(String(value)).not.toContain(key)
  expect(JSON.stringify(value)).not.toContain(key)
  expect(util.inspect(value, { depth: Infinity })).not.toContain(key)
}

describe("ClerkClient.layer validation", () => {
  const refused: ReadonlyArray<[string, Partial<ClerkClient.Options>, string]> = [
    ["an empty key", { secretKey: Redacted.make("") }, "secretKey"],
    ["a publishable key", { secretKey: Redacted.make("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k") }, "secretKey"],
    ["a key with a space", { secretKey: Redacted.make("sk_test_abc def") }, "secretKey"],
    ["a key with a newline", { secretKey: Redacted.make("sk_test_abc\n") }, "secretKey"],
    ["a key with a control character", { secretKey: Redacted.make("sk_test_\u0000abc") }, "secretKey"],
    ["an http URL on the internet", { apiUrl: "http://api.clerk.com" }, "apiUrl"],
    ["a URL that is not a URL", { apiUrl: "api.clerk.com" }, "apiUrl"],
    ["a URL with credentials", { apiUrl: "https://user:pass@api.clerk.com" }, "apiUrl"],
    ["a URL with a query", { apiUrl: "https://api.clerk.com?x=1" }, "apiUrl"],
    ["an ftp URL", { apiUrl: "ftp://localhost" }, "apiUrl"],
    ["negative retries", { maxRetries: -1 }, "maxRetries"],
    ["fractional retries", { maxRetries: 1.5 }, "maxRetries"],
    ["a zero timeout", { timeout: 0 }, "timeout"],
    ["an unreadable timeout", { timeout: "soon" as never }, "timeout"],
    ["an infinite timeout", { timeout: "Infinity" as never }, "timeout"],
    ["a zero rate limit", { rateLimit: { limit: 0, interval: "1 second" } }, "rateLimit.limit"],
    ["a user agent with a newline", { userAgent: "app\r\nX-Evil: 1" }, "userAgent"]
  ]
  for (const [name, options, option] of refused) {
    it.effect(`refuses ${name} with ClerkConfigError naming "${option}", never the key`, () =>
      Effect.gen(function*() {
        const error = yield* buildWith(options)
        assert(error._tag === "ClerkConfigError", error._tag)
        expect(error.option).toBe(option)
        expect(error.reason).not.toBe("")
        expect(error.message).toBe(`Invalid ClerkClient option "${option}": ${error.reason}`)
        expectNoKey(error)
        const key = options.secretKey ? Redacted.value(options.secretKey) : SECRET
        if (key.length > 0) expectNoKey(error, key)
      }))
  }

  // Each accepted option must also take effect: the URL a revoke is sent to, or what the client does over time.
  const revokeUrl = (options: Partial<ClerkClient.Options>) =>
    Effect.map(
      withClient(options, { revoke: Mock.actorToken({ status: "revoked" }) }, ActorTokens.revoke("act_1")),
      ({ urls }) => urls
    )
  const accepted: ReadonlyArray<[string, Partial<ClerkClient.Options>, string]> = [
    ["https", { apiUrl: "https://api.clerk.com" }, "https://api.clerk.com/v1/actor_tokens/act_1/revoke"],
    [
      "a URL object",
      { apiUrl: new URL("https://api.clerk.com/") },
      "https://api.clerk.com/v1/actor_tokens/act_1/revoke"
    ],
    ["http on localhost", { apiUrl: "http://localhost:8787" }, "http://localhost:8787/v1/actor_tokens/act_1/revoke"],
    ["http on 127.0.0.0/8", { apiUrl: "http://127.1.2.3:9000" }, "http://127.1.2.3:9000/v1/actor_tokens/act_1/revoke"],
    ["http on [::1]", { apiUrl: "http://[::1]:9000" }, "http://[::1]:9000/v1/actor_tokens/act_1/revoke"],
    [
      "a base path",
      { apiUrl: "https://proxy.example.com/clerk/" },
      "https://proxy.example.com/clerk/v1/actor_tokens/act_1/revoke"
    ]
  ]
  for (const [name, options, url] of accepted) {
    it.effect(`accepts ${name}, and sends requests there`, () =>
      Effect.gen(function*() {
        expect(yield* revokeUrl(options)).toEqual([url])
      }))
  }

  it.effect("accepts duration strings: timeout ends an attempt at 2.5 s, a 120 s Retry-After is waited for", () =>
    Effect.gen(function*() {
      const options = { timeout: "2500 millis", maxRetryAfter: "2 minutes" } as const
      const stalled = yield* Effect.fork(withClient(options, { create: Mock.stall }, ActorTokens.create(params)))
      yield* TestClock.adjust("2499 millis")
      expect(stalled.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 milli")
      const timedOut = yield* Fiber.join(stalled)
      assert(Either.isLeft(timedOut.result), "the stalled call succeeded")
      expectFields(timedOut.result.left, { _tag: "ClerkTransportError", reason: "Timeout" })
      // The default maxRetryAfter (60 s) would refuse this wait.
      const limited = yield* Effect.fork(
        withClient(options, {
          revoke: [Mock.respond(429, undefined, { headers: { "retry-after": "120" } }), Mock.actorToken()]
        }, ActorTokens.revoke("act_1"))
      )
      yield* TestClock.adjust("119 seconds")
      expect(limited.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const waited = yield* Fiber.join(limited)
      expect(Either.isRight(waited.result)).toBe(true)
      expect(waited.urls).toHaveLength(2)
    }))

  it.effect("accepts zero retries: a 503 is sent once", () =>
    Effect.gen(function*() {
      const { result, urls } = yield* withClient(
        { maxRetries: 0 },
        { revoke: Mock.respond(503) },
        ActorTokens.revoke("act_1")
      )
      assert(Either.isLeft(result), "the 503 was not an error")
      expectFields(result.left, { _tag: "ClerkServerError", status: 503 })
      expect(urls).toHaveLength(1)
    }))
})

describe("ClerkClient.layerConfig", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("reads CLERK_SECRET_KEY and CLERK_API_URL", () =>
    Effect.gen(function*() {
      const { httpClient, recorder } = yield* Mock.make({ revoke: Mock.actorToken({ status: "revoked" }) })
      yield* ActorTokens.revoke("act_1").pipe(
        Effect.provide(
          ClerkClient.layerConfig({ maxRetries: 0 }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient))
          )
        ),
        withEnv({ CLERK_SECRET_KEY: SECRET, CLERK_API_URL: "http://127.0.0.1:4010" })
      )
      const [request] = yield* recorder.requests
      expect(request?.path).toBe("/v1/actor_tokens/act_1/revoke")
      expect(request?.authorization && Redacted.value(request.authorization)).toBe(`Bearer ${SECRET}`)
    }))

  it.effect("fails with a ConfigError when CLERK_SECRET_KEY is missing", () =>
    Effect.gen(function*() {
      const { httpClient } = yield* Mock.make({})
      const error = yield* Layer.build(
        ClerkClient.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)))
      ).pipe(Effect.scoped, Effect.flip, withEnv({}))
      expect(error._tag).not.toBe("ClerkConfigError")
      expect(String(error)).toContain("CLERK_SECRET_KEY")
    }))

  it.effect("validates what it read, without printing the key", () =>
    Effect.gen(function*() {
      const { httpClient } = yield* Mock.make({})
      const error = yield* Layer.build(
        ClerkClient.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)))
      ).pipe(Effect.scoped, Effect.flip, withEnv({ CLERK_SECRET_KEY: "pk_live_SENTINELpublishable" }))
      expectFields(error, { _tag: "ClerkConfigError", option: "secretKey" })
      expectNoKey(error, "pk_live_SENTINELpublishable")
    }))
})
