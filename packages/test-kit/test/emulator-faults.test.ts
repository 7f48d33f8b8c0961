import { ActorTokens } from "@effect-clerk/client"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { HttpClientError, HttpClientRequest } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"

const withClerk = (options?: TestClerk.Options) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, TestClerk.layer(options))

const noRetries = withClerk({ client: { maxRetries: 0 } })

const createToken = ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } })

const inject = (fault: Emulator.Fault, options?: Emulator.FaultOptions) =>
  Effect.flatMap(Emulator.Emulator, (emulator) => emulator.injectFault(fault, options))

const tokens = Effect.flatMap(Emulator.Emulator, (emulator) => emulator.tokens)
const count = (route: Emulator.Route) => Effect.flatMap(Emulator.Emulator, (emulator) => emulator.requestCount(route))

describe("faults before processing (no state change)", () => {
  it.effect.each([500, 502, 503, 504])(
    "status %d: ClerkServerError with Clerk's body",
    (status) =>
      Effect.gen(function*() {
        yield* inject(Emulator.Fault.Status({ status }), { operation: "create" })
        const error = yield* Effect.flip(createToken)
        assert(error._tag === "ClerkServerError")
        expect(error.status).toBe(status)
        expect(error.errors[0]?.code).toBe("internal_clerk_error")
        expect(yield* tokens).toEqual([])
        expect(yield* count("create")).toBe(1)
      }).pipe(noRetries)
  )

  it.effect("429 with Retry-After in seconds", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.RateLimited({ retryAfter: "7 seconds" }))
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkRateLimited")
      expect(error.retryAfter).toEqual(Duration.seconds(7))
      expect(yield* tokens).toEqual([])
    }).pipe(noRetries))

  it.effect("429 with Retry-After as an HTTP date, computed from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 4, 12, 10, 0, 0))
      yield* inject(Emulator.Fault.RateLimited({ retryAfter: "30 seconds", httpDate: true }))
      const emulator = yield* Emulator.Emulator
      const response = yield* TestClerk.httpClient(emulator).execute(
        HttpClientRequest.post(`${Emulator.defaultBaseUrl}/v1/actor_tokens`)
      )
      expect(response.status).toBe(429)
      expect(response.headers["retry-after"]).toBe("Tue, 12 May 2026 10:00:30 GMT")

      yield* inject(Emulator.Fault.RateLimited({ retryAfter: "30 seconds", httpDate: true }))
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkRateLimited")
      expect(error.retryAfter).toEqual(Duration.seconds(30))
    }).pipe(noRetries))

  it.effect("an HTML gateway page with 502: a server error without Clerk entries", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.HtmlPage({ status: 502 }))
      const emulator = yield* Emulator.Emulator
      const response = yield* TestClerk.httpClient(emulator).execute(
        HttpClientRequest.post(`${Emulator.defaultBaseUrl}/v1/actor_tokens`)
      )
      expect(response.status).toBe(502)
      expect(response.headers["content-type"]).toBe("text/html")
      expect(yield* response.text).toContain("<h1>502 Bad Gateway</h1>")

      yield* inject(Emulator.Fault.HtmlPage({ status: 502 }))
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkServerError")
      expect(error.errors).toEqual([])
      expect(error.message).toBe("Clerk answered 502 Bad Gateway")
    }).pipe(noRetries))

  it.effect("truncated JSON with 200: ClerkDecodeError InvalidJson", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.TruncatedJson())
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkDecodeError")
      expect(error.reason).toBe("InvalidJson")
      expect(error.message).toBe("the response body is not valid JSON")
      expect(yield* tokens).toEqual([])
    }).pipe(noRetries))

  it.effect("wrong-shaped JSON with 200: ClerkDecodeError SchemaMismatch", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.WrongShape())
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkDecodeError")
      expect(error.reason).toBe("SchemaMismatch")
      expect(error.message).toContain("id")
    }).pipe(noRetries))

  it.effect("an empty body with 200: ClerkDecodeError", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.EmptyBody())
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkDecodeError")
      expect(error.message).toBe("the response body is empty")
    }).pipe(noRetries))

  it.effect("a connection reset: a transport error whose cause carries ECONNRESET", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* inject(Emulator.Fault.ConnectionReset())
      const raw = yield* Effect.flip(
        TestClerk.httpClient(emulator).execute(HttpClientRequest.post(`${Emulator.defaultBaseUrl}/v1/actor_tokens`))
      )
      assert(raw._tag === "RequestError")
      expect(raw.reason).toBe("Transport")
      expect((raw.cause as { code?: unknown }).code).toBe("ECONNRESET")
      expect(raw).toBeInstanceOf(HttpClientError.RequestError)

      yield* inject(Emulator.Fault.ConnectionReset())
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("ConnectionReset")
      expect(error.message).toContain("ECONNRESET")
      expect(yield* tokens).toEqual([])
    }).pipe(noRetries))

  it.effect("a stall: only the client's timeout ends it", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.Stall())
      const fiber = yield* Effect.fork(Effect.flip(createToken))
      yield* TestClock.adjust("4 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("Timeout")
      expect(yield* tokens).toEqual([])
    }).pipe(withClerk({ client: { maxRetries: 0, timeout: "5 seconds" } })))
})

describe("faults after processing (the response is lost)", () => {
  it.effect("create succeeds, the connection resets, and the client does not create again", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.ConnectionReset(), { operation: "create", afterProcessing: true })
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("ConnectionReset")
      const stored = yield* tokens
      expect(stored.map((t) => t.status)).toEqual(["pending"])
      expect(yield* count("create")).toBe(1)
    }).pipe(withClerk({ client: { maxRetries: 3 } })))

  it.effect("create succeeds behind a 502: still one token, one request", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.HtmlPage({ status: 502 }), { afterProcessing: true })
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkServerError")
      expect(yield* tokens).toHaveLength(1)
      expect(yield* count("create")).toBe(1)
    }).pipe(withClerk({ client: { maxRetries: 3 } })))

  it.effect("create succeeds and stalls: the token exists although the client timed out", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.Stall(), { afterProcessing: true })
      const fiber = yield* Effect.fork(Effect.flip(createToken))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("Timeout")
      expect(yield* tokens).toHaveLength(1)
    }).pipe(noRetries))

  it.effect("truncated JSON of the real token: the token exists", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.TruncatedJson(), { afterProcessing: true })
      const error = yield* Effect.flip(createToken)
      assert(error._tag === "ClerkDecodeError")
      expect(error.reason).toBe("InvalidJson")
      expect(yield* tokens).toHaveLength(1)
    }).pipe(noRetries))

  it.effect("a revoke that was applied but lost: the retry meets 400 cannot be revoked", () =>
    Effect.gen(function*() {
      const token = yield* createToken
      yield* inject(Emulator.Fault.ConnectionReset(), { operation: "revoke", afterProcessing: true })
      const fiber = yield* Effect.fork(Effect.flip(ActorTokens.revoke(token.id)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert(error._tag === "ClerkBadRequest")
      expect(error.errors[0]?.code).toBe("actor_token_cannot_be_revoked_code")
      expect(yield* count("revoke")).toBe(2)
    }).pipe(withClerk({ client: { maxRetries: 2 } })))
})

describe("matching and counting", () => {
  it.effect("a fault for revoke leaves create alone; times counts down", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "revoke", times: 2 })
      const token = yield* createToken
      expect(yield* emulator.pendingFaults).toBe(2)
      expect((yield* Effect.flip(ActorTokens.revoke(token.id)))._tag).toBe("ClerkServerError")
      expect(yield* emulator.pendingFaults).toBe(1)
      expect((yield* Effect.flip(ActorTokens.revoke(token.id)))._tag).toBe("ClerkServerError")
      expect(yield* emulator.pendingFaults).toBe(0)
      expect((yield* ActorTokens.revoke(token.id)).status).toBe("revoked")
    }).pipe(noRetries))

  it.effect("the client retries revoke through 503s on the TestClock", () =>
    Effect.gen(function*() {
      const token = yield* createToken
      yield* inject(Emulator.Fault.Status({ status: 503 }), { operation: "revoke", times: 2 })
      const fiber = yield* Effect.fork(ActorTokens.revoke(token.id))
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).status).toBe("revoked")
      expect(yield* count("revoke")).toBe(3)
    }).pipe(withClerk({ client: { maxRetries: 2 } })))

  it.effect("faults are used in the order they were injected; clearFaults drops the rest", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.injectFault(Emulator.Fault.Status({ status: 500 }))
      yield* emulator.injectFault(Emulator.Fault.EmptyBody())
      yield* emulator.injectFault(Emulator.Fault.ConnectionReset(), { times: 5 })
      expect((yield* Effect.flip(createToken))._tag).toBe("ClerkServerError")
      expect((yield* Effect.flip(createToken))._tag).toBe("ClerkDecodeError")
      expect((yield* Effect.flip(createToken))._tag).toBe("ClerkTransportError")
      yield* emulator.clearFaults
      expect((yield* createToken).status).toBe("pending")
      expect(yield* emulator.requestCount("create")).toBe(4)
    }).pipe(noRetries))

  it.effect("a fault applies before authentication: a proxy answers first", () =>
    Effect.gen(function*() {
      yield* inject(Emulator.Fault.Status({ status: 504 }))
      const error = yield* Effect.flip(createToken)
      expect(error._tag).toBe("ClerkServerError")
    }).pipe(withClerk({ client: { secretKey: Redacted.make("sk_test_wrong"), maxRetries: 0 } })))
})
