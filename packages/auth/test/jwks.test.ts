import { SessionToken } from "@effect-clerk/auth"
import { Observe } from "@effect-clerk/test-kit"
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, type Duration, Effect, Exit, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { atNow, makeKey, signWith, type TestKey, token, validClaims } from "./utils/tokens.js"

const key = makeKey("ins_key_1")
const rotated = makeKey("ins_key_2")
const secretKey = "sk_test_jwks_secret_value"

type Answer =
  | { readonly _tag: "Keys"; readonly keys: ReadonlyArray<TestKey> }
  | { readonly _tag: "Status"; readonly status: number; readonly body: string }
  | { readonly _tag: "Never" }
  | { readonly _tag: "TransportError" }
  | { readonly _tag: "Defect" }

/** A fake Backend API behind an `HttpClient` layer: answers `GET /v1/jwks` as scripted and records each request. */
const fakeApi = (initial: Answer, options: { readonly delay?: Duration.DurationInput } = {}) => {
  let answer = initial
  const requests: Array<{ readonly url: string; readonly method: string; readonly headers: Record<string, string> }> =
    []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      requests.push({ url: url.href, method: request.method, headers: { ...request.headers } })
      if (options.delay !== undefined) yield* Effect.sleep(options.delay)
      const respond = (status: number, body: string) =>
        HttpClientResponse.fromWeb(
          request,
          new Response(body, { status, headers: { "content-type": "application/json" } })
        )
      switch (answer._tag) {
        case "Keys":
          return respond(200, JSON.stringify({ keys: answer.keys.map((k) => k.jwk) }))
        case "Status":
          return respond(answer.status, answer.body)
        case "Never":
          return yield* Effect.never
        case "TransportError":
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: "refused" })
        case "Defect":
          return yield* Effect.die(new Error("the transport crashed"))
      }
    })
  )
  return {
    layer: Layer.succeed(HttpClient.HttpClient, client),
    requests,
    answer: (next: Answer) => {
      answer = next
    }
  }
}

const reasonOf = (
  exit: Exit.Exit<unknown, SessionToken.SessionTokenError | SessionToken.SessionTokenConfigError>
): string => {
  if (Exit.isSuccess(exit)) return assert.fail("expected a refusal, got claims")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value._tag === "SessionTokenError" ? failure.value.reason : `config: ${failure.value.option}`
}

const keys = (...list: ReadonlyArray<TestKey>): Answer => ({ _tag: "Keys", keys: list })

describe.each(["node:crypto", "jose"] as const)("the jwks source (crypto: %s)", (crypto) => {
  const verifyWith = (jwks: SessionToken.JsonWebKeySet, input: string) =>
    SessionToken.verify(input).pipe(Effect.provide(SessionToken.layer({ jwks, crypto })), Effect.exit)

  it.effect("picks the key by kid; an unknown kid is jwk-kid-mismatch", () =>
    Effect.gen(function*() {
      yield* atNow()
      const set = { keys: [key.jwk, rotated.jwk] }
      expect(Exit.isSuccess(yield* verifyWith(set, token(key)))).toBe(true)
      expect(Exit.isSuccess(yield* verifyWith(set, token(rotated)))).toBe(true)
      expect(reasonOf(yield* verifyWith(set, token(key, {}, { kid: "ins_unknown" })))).toBe("jwk-kid-mismatch")
      // The kid names a key of the set, the signature is another's.
      expect(reasonOf(yield* verifyWith(set, token(key, {}, { kid: rotated.kid })))).toBe("token-invalid-signature")
    }))

  it.effect("a token without kid uses the only key; with several keys it is refused", () =>
    Effect.gen(function*() {
      yield* atNow()
      const bare = signWith(key.privateKey, { alg: "RS256", typ: "JWT" }, validClaims())
      expect(Exit.isSuccess(yield* verifyWith({ keys: [key.jwk] }, bare))).toBe(true)
      expect(reasonOf(yield* verifyWith({ keys: [key.jwk, rotated.jwk] }, bare))).toBe("token-invalid")
    }))

  it.effect("skips keys it cannot use: another type, another use, another algorithm, no modulus", () =>
    Effect.gen(function*() {
      yield* atNow()
      const set = {
        keys: [
          { kty: "EC", kid: "ec", crv: "P-256", x: "x", y: "y" },
          { ...rotated.jwk, use: "enc" },
          { ...rotated.jwk, kid: "rs512", alg: "RS512" },
          { kty: "RSA", kid: "broken", n: "", e: "AQAB" },
          { kty: "RSA", kid: "garbage", n: "!!!", e: "AQAB" },
          "not an object",
          key.jwk
        ]
      }
      expect(Exit.isSuccess(yield* verifyWith(set as SessionToken.JsonWebKeySet, token(key)))).toBe(true)
      expect(reasonOf(yield* verifyWith(set as SessionToken.JsonWebKeySet, token(rotated)))).toBe("jwk-kid-mismatch")
    }))
})

describe.each(["node:crypto", "jose"] as const)("the secretKey source (crypto: %s)", (crypto) => {
  const layerOf = (api: ReturnType<typeof fakeApi>, apiUrl?: string) =>
    SessionToken.layer({ secretKey: Redacted.make(secretKey), crypto, ...(apiUrl ? { apiUrl } : {}) }).pipe(
      Layer.provide(api.layer)
    )

  it.effect("fetches GET {apiUrl}/v1/jwks with the secret key as a bearer token, on first use", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key))
      const verifier = yield* SessionToken.make({ secretKey, crypto }).pipe(Effect.provide(api.layer))
      expect(api.requests).toHaveLength(0)
      yield* verifier.verify(token(key))
      expect(api.requests).toHaveLength(1)
      expect(api.requests[0]).toMatchObject({
        url: "https://api.clerk.com/v1/jwks",
        method: "GET",
        headers: { authorization: `Bearer ${secretKey}`, accept: "application/json" }
      })
      const custom = fakeApi(keys(key))
      yield* SessionToken.verify(token(key)).pipe(Effect.provide(layerOf(custom, "http://127.0.0.1:4010/api/")))
      expect(custom.requests[0]!.url).toBe("http://127.0.0.1:4010/api/v1/jwks")
    }))

  it.effect("10,000 verifications make exactly one request", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key, rotated))
      const signed = [token(key), token(rotated)]
      const count = crypto === "jose" ? 2_000 : 10_000
      yield* Effect.gen(function*() {
        // Half of them concurrently, starting cold: they share the first fetch.
        yield* Effect.forEach(
          Array.from({ length: count / 2 }, (_, i) => signed[i % 2]!),
          SessionToken.verify,
          { concurrency: 64, discard: true }
        )
        for (let i = 0; i < count / 2; i++) yield* SessionToken.verify(signed[i % 2]!)
      }).pipe(Effect.provide(layerOf(api)))
      expect(api.requests).toHaveLength(1)
    }), 60_000)

  it.effect(
    "1,000 unknown kids make one more request, and are all jwk-kid-mismatch",
    () =>
      Effect.gen(function*() {
        yield* atNow()
        const api = fakeApi(keys(key))
        const reasons = yield* Effect.gen(function*() {
          yield* SessionToken.verify(token(key))
          yield* TestClock.adjust("5 seconds")
          const sequential = yield* Effect.forEach(
            Array.from({ length: 500 }, (_, i) => token(key, {}, { kid: `ins_unknown_${i}` })),
            (input) => Effect.exit(SessionToken.verify(input))
          )
          const concurrent = yield* Effect.forEach(
            Array.from({ length: 500 }, (_, i) => token(key, {}, { kid: `ins_other_${i}` })),
            (input) => Effect.exit(SessionToken.verify(input)),
            { concurrency: "unbounded" }
          )
          return [...sequential, ...concurrent].map(reasonOf)
        }).pipe(Effect.provide(layerOf(api)))
        expect(new Set(reasons)).toEqual(new Set(["jwk-kid-mismatch"]))
        expect(api.requests).toHaveLength(2)
      }),
    60_000
  )

  it.effect("1,000 concurrent unknown kids on a cold cache make one request", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key), { delay: "100 millis" })
      const fiber = yield* Effect.forEach(
        Array.from({ length: 1_000 }, (_, i) => token(key, {}, { kid: `ins_unknown_${i}` })),
        (input) => Effect.exit(SessionToken.verify(input)),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(layerOf(api)), Effect.fork)
      yield* TestClock.adjust("100 millis")
      const exits = yield* Fiber.join(fiber)
      expect(new Set(exits.map(reasonOf))).toEqual(new Set(["jwk-kid-mismatch"]))
      expect(api.requests).toHaveLength(1)
    }))

  it.effect("after a rotation, the new kid is fetched once, then served from the cache", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key))
      yield* Effect.gen(function*() {
        yield* SessionToken.verify(token(key))
        api.answer(keys(key, rotated))
        yield* TestClock.adjust("5 seconds")
        yield* SessionToken.verify(token(rotated))
        yield* SessionToken.verify(token(rotated))
        yield* SessionToken.verify(token(key))
      }).pipe(Effect.provide(layerOf(api)))
      expect(api.requests).toHaveLength(2)
    }))

  it.effect("no refetch within 5 seconds of the last fetch, on the Clock", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key))
      const third = makeKey("ins_key_3")
      const later = { exp: 1_800_000_100 }
      yield* Effect.gen(function*() {
        yield* SessionToken.verify(token(key))
        // Right after the first fetch, an unknown kid is not worth another.
        expect(reasonOf(yield* Effect.exit(SessionToken.verify(token(rotated))))).toBe("jwk-kid-mismatch")
        expect(api.requests).toHaveLength(1)
        yield* TestClock.adjust("5 seconds")
        expect(reasonOf(yield* Effect.exit(SessionToken.verify(token(rotated))))).toBe("jwk-kid-mismatch")
        expect(api.requests).toHaveLength(2)
        api.answer(keys(key, rotated, third))
        yield* TestClock.adjust("4999 millis")
        expect(reasonOf(yield* Effect.exit(SessionToken.verify(token(rotated, later))))).toBe("jwk-kid-mismatch")
        expect(api.requests).toHaveLength(2)
        yield* TestClock.adjust("1 millis")
        yield* SessionToken.verify(token(rotated, later))
        yield* SessionToken.verify(token(third, later))
        expect(api.requests).toHaveLength(3)
      }).pipe(Effect.provide(layerOf(api)))
    }))

  it.effect("keys older than 5 minutes keep serving while fresh ones load in the background", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key))
      yield* Effect.gen(function*() {
        yield* SessionToken.verify(token(key))
        yield* TestClock.adjust("4 minutes")
        yield* SessionToken.verify(token(key, { exp: 1_800_000_300 }))
        expect(api.requests).toHaveLength(1)
        // The key was revoked: the stale key still serves this once, and the refreshed set no longer has it.
        api.answer(keys(rotated))
        yield* TestClock.adjust("1 minute")
        const fresh = token(key, { exp: 1_800_000_400 })
        yield* SessionToken.verify(fresh)
        // The refresh runs on its own fiber; wait (in real time, bounded) until its keys are in use.
        let exit = yield* Effect.exit(SessionToken.verify(fresh))
        for (let i = 0; i < 200 && Exit.isSuccess(exit); i++) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
          exit = yield* Effect.exit(SessionToken.verify(fresh))
        }
        expect(reasonOf(exit)).toBe("jwk-kid-mismatch")
        expect(api.requests).toHaveLength(2)
      }).pipe(Effect.provide(layerOf(api)))
    }))

  const failures: ReadonlyArray<readonly [string, Answer]> = [
    ["a 500", { _tag: "Status", status: 500, body: "{\"errors\":[]}" }],
    ["a 401", { _tag: "Status", status: 401, body: "{\"errors\":[]}" }],
    ["a body that is not JSON", { _tag: "Status", status: 200, body: "<html>" }],
    ["JSON that is not a key set", { _tag: "Status", status: 200, body: "{\"keys\":{}}" }],
    ["a key set whose key is not Clerk's wire JWK (no alg)", {
      _tag: "Status",
      status: 200,
      body: "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"ins_1\",\"use\":\"sig\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}"
    }],
    ["a transport error", { _tag: "TransportError" }],
    ["a crashing transport", { _tag: "Defect" }]
  ]

  for (const [label, answer] of failures) {
    it.effect(`${label} is jwk-remote-failed-to-load; retried after the 5 s cooldown, not before`, () =>
      Effect.gen(function*() {
        yield* atNow()
        const api = fakeApi(answer)
        yield* Effect.gen(function*() {
          for (let i = 0; i < 100; i++) {
            expect(reasonOf(yield* Effect.exit(SessionToken.verify(token(key))))).toBe("jwk-remote-failed-to-load")
          }
          expect(api.requests).toHaveLength(1)
          api.answer(keys(key))
          yield* TestClock.adjust("4999 millis")
          expect(reasonOf(yield* Effect.exit(SessionToken.verify(token(key))))).toBe("jwk-remote-failed-to-load")
          yield* TestClock.adjust("1 millis")
          yield* SessionToken.verify(token(key, { exp: 1_800_000_100 }))
          expect(api.requests).toHaveLength(2)
        }).pipe(Effect.provide(layerOf(api)))
      }))
  }

  it.effect("a JWKS request that never answers times out after 10 seconds: jwk-remote-failed-to-load", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi({ _tag: "Never" })
      const fiber = yield* SessionToken.verify(token(key)).pipe(Effect.provide(layerOf(api)), Effect.exit, Effect.fork)
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect(reasonOf(yield* Fiber.join(fiber))).toBe("jwk-remote-failed-to-load")
    }))

  it.effect("a caller interrupted during the fetch does not cancel it for the others", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi(keys(key), { delay: "1 second" })
      yield* Effect.gen(function*() {
        const first = yield* Effect.fork(SessionToken.verify(token(key)))
        yield* Effect.yieldNow()
        const second = yield* Effect.fork(SessionToken.verify(token(key)))
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(first)
        yield* TestClock.adjust("1 second")
        const claims = yield* Fiber.join(second)
        expect(claims.userId).toBe("user_2xyz")
      }).pipe(Effect.provide(layerOf(api)))
      expect(api.requests).toHaveLength(1)
    }))

  it.effect("the secret key appears in no error, log or span", () =>
    Effect.gen(function*() {
      yield* atNow()
      const api = fakeApi({ _tag: "Status", status: 500, body: "{}" })
      const text = yield* Effect.gen(function*() {
        const exit = yield* Effect.exit(SessionToken.verify(token(key)))
        const error = Cause.failureOption(Exit.isFailure(exit) ? exit.cause : Cause.empty)
        assert(Option.isSome(error))
        expect(`${error.value.message} ${String(error.value)} ${JSON.stringify(error.value)}`).not.toContain(
          secretKey
        )
        const captured = yield* Observe.Captured
        expect((yield* captured.spans).map((span) => span.name)).toContain("SessionToken.loadJwks")
        return yield* captured.text
      }).pipe(Effect.provide(Layer.merge(layerOf(api), Observe.layer)))
      expect(text).not.toContain(secretKey)
    }))
})
