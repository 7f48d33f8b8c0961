/**
 * Property-based fuzzing of the client (fast-check through `it.effect.prop`, seeded; override with
 * `RELIABILITY_SEED` / scale runs with `RELIABILITY_RUNS`):
 *
 * - any status, headers (Retry-After junk included) and body the scripted transport can answer with — random JSON,
 *   random text, bodies over 1 MiB, JSON nested 100,000 levels deep, raw bytes and invalid UTF-8 — end in a valid
 *   token or one typed error of the client's union, the one an independent oracle predicts; never a defect, never
 *   a hang, and never with the secret key or a returned credential in a log, a span or the error's renderings;
 * - any valid create params round-trip through the emulator: what it stored is what was sent;
 * - any string used as an id is either a valid id, sent as exactly one path segment, or refused with no request.
 */
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import { Emulator, Fixtures, Mock, Observe, TestClerk } from "@effect-clerk/test-kit"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { afterAll, assert, beforeAll, expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Exit, FastCheck as fc, Layer, Option, Redacted, Schema } from "effect"
import {
  callBound,
  capturedText,
  classify,
  fastCheckParameters,
  leakedFrom,
  leaks,
  type Outcome,
  renderings,
  runBounded,
  sentinelKey,
  sentinelKeyCore,
  sentinelTicket,
  sentinelUrl,
  watchUnhandledRejections
} from "./harness.js"

const MiB = 1024 * 1024
const depth = 100_000
const maxRetries = 1
const timeout = Duration.seconds(10)
const maxRetryAfter = Duration.seconds(60)
// Two attempts, each up to the timeout, and a wait of at most maxRetryAfter between them.
const bound = callBound({ attempts: maxRetries + 1, timeout, retryAfter: maxRetryAfter })
const clientOptions = { secretKey: Redacted.make(sentinelKey), maxRetries, timeout, maxRetryAfter }

const unhandled = { seen: [] as Array<unknown>, stop: () => {} }
beforeAll(() => {
  Object.assign(unhandled, watchUnhandledRejections())
})
afterAll(() => {
  unhandled.stop()
  expect(unhandled.seen).toEqual([])
})

// ---------------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------------

const encodeToken = Schema.encodeSync(ActorToken.ActorToken)
const tokenJson = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...encodeToken(Fixtures.pendingToken), token: sentinelTicket, url: sentinelUrl, ...fields })

/** A valid token padded with an extra field to exactly `size` bytes (ASCII, so characters are bytes). */
const tokenOfSize = (size: number): string => {
  const empty = tokenJson({ padding: "" })
  return tokenJson({ padding: "p".repeat(size - empty.length) })
}

const nestedArray = "[".repeat(depth) + "]".repeat(depth)
const nestedObject = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)

/** Bodies no generator would find by chance: the limits, and nesting far beyond any recursive parser's stack. */
const specialBodies: ReadonlyArray<string> = [
  "x".repeat(MiB + 1),
  tokenOfSize(MiB),
  tokenOfSize(MiB + 1),
  // Fewer than 1 Mi characters, more than 1 MiB: the limit counts bytes.
  `${tokenJson().slice(0, -1)},"padding":"${"é".repeat(MiB / 2)}"}`,
  nestedArray,
  nestedObject,
  "[".repeat(depth),
  tokenJson({ actor: { sub: "user_x", deep: "@deep@" } }).replace("\"@deep@\"", nestedArray),
  `{"errors":[{"code":"c","message":"m","meta":{"deep":${nestedArray}}}],"meta":${nestedObject}}`,
  `{"errors":${nestedArray}}`
]

const jsonText = fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? "null")

const tokenBodies = fc.oneof(
  Fixtures.actorTokenJson.map((json) => JSON.stringify({ ...json, token: sentinelTicket, url: sentinelUrl })),
  // A valid token with one field replaced by a random JSON value: mostly mismatches, sometimes still valid.
  fc.tuple(
    fc.constantFrom("id", "status", "user_id", "actor", "token", "url", "created_at", "updated_at", "object", "x"),
    fc.jsonValue({ maxDepth: 3 })
  ).map(([key, value]) => tokenJson({ [key]: value })),
  // Credentials in the wrong shape or place: a mismatch whose message must name the paths, never the values.
  fc.constantFrom(
    tokenJson({ token: { value: sentinelTicket } }),
    tokenJson({ url: [sentinelUrl] }),
    tokenJson({ status: sentinelTicket }),
    tokenJson({ created_at: sentinelUrl }),
    JSON.stringify([{ token: sentinelTicket, url: sentinelUrl }])
  ),
  // A valid token cut anywhere.
  fc.nat().map((n) => {
    const json = tokenJson()
    return json.slice(0, n % json.length)
  })
)

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: tokenBodies },
  { weight: 2, arbitrary: jsonText },
  { weight: 2, arbitrary: Fixtures.clerkErrorsJson.map((json) => JSON.stringify(json)) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(...specialBodies) },
  { weight: 1, arbitrary: fc.constant(undefined) }
)

// ---------------------------------------------------------------------------------------------------------------
// statuses and headers
// ---------------------------------------------------------------------------------------------------------------

const status = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 100, max: 599 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(200, 201, 204, 205, 304, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504)
  },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 99, 600, 601, 999, 1000, 65_535, -1) }
)

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x21-\\x7e][\\x20-\\x7e]{0,${max}}$`))

const retryAfterJunk = fc.oneof(
  fc.nat({ max: 200 }).map(String),
  fc.constantFrom(
    "0",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "+5",
    "99999999999999999999999",
    "9".repeat(400),
    "Infinity",
    "NaN",
    "soon",
    "5, 6",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Tue, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:30 GMT",
    "Mon, 32 Foo 2026 99:99:99 GMT"
  ),
  fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
  printable(40)
)

const headers = fc.tuple(
  fc.option(retryAfterJunk, { nil: undefined }),
  fc.option(
    fc.constantFrom("application/json", "text/html", "text/plain; charset=latin1", "application/octet-stream"),
    {
      nil: undefined
    }
  ),
  fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable(60), { maxKeys: 3 })
).map(([retryAfter, contentType, extra]) => ({
  ...extra,
  ...(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
  ...(contentType === undefined ? {} : { "content-type": contentType })
}))

// ---------------------------------------------------------------------------------------------------------------
// the oracle
// ---------------------------------------------------------------------------------------------------------------

const decodeToken = Schema.decodeUnknownEither(ActorToken.ActorToken)

const tagByStatus: Record<number, string> = {
  400: "ClerkBadRequest",
  401: "ClerkUnauthorized",
  402: "ClerkPaymentRequired",
  403: "ClerkForbidden",
  404: "ClerkNotFound",
  422: "ClerkUnprocessableEntity",
  429: "ClerkRateLimited"
}

type Prediction = { readonly _tag: "Success" } | { readonly _tag: string; readonly reason?: string }

/** The nesting depth of a JSON value (a scalar is 0), counted without recursion. */
const depthOf = (value: unknown): number => {
  let deepest = 0
  const stack: Array<readonly [unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    deepest = Math.max(deepest, depth + 1)
    for (const child of Object.values(current)) stack.push([child, depth + 1])
  }
  return deepest
}

/**
 * What the client must answer, from the status and the bytes on the wire alone: a 2xx is decoded (size, then JSON,
 * then shape); any other status is mapped to its error class whatever the body.
 */
const predict = (statusCode: number, bytes: Uint8Array): Prediction => {
  if (statusCode < 200 || statusCode > 299) {
    return {
      _tag: tagByStatus[statusCode] ??
        (statusCode >= 500 && statusCode <= 599 ? "ClerkServerError" : "ClerkUnexpectedStatus")
    }
  }
  if (bytes.length > MiB) return { _tag: "ClerkDecodeError", reason: "BodyTooLarge" }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return { _tag: "ClerkDecodeError", reason: "InvalidJson" }
  }
  // No actor token nests deeper than 40 levels; a deeper body is refused before it is decoded.
  if (depthOf(json) > 40) return { _tag: "ClerkDecodeError", reason: "SchemaMismatch" }
  return Either.isRight(decodeToken(json, { onExcessProperty: "ignore" }))
    ? { _tag: "Success" }
    : { _tag: "ClerkDecodeError", reason: "SchemaMismatch" }
}

/** The statuses a web `Response` cannot carry a body with, as the scripted transport sends them. */
const nullBodyStatus = (statusCode: number): boolean =>
  statusCode < 200 || statusCode === 204 || statusCode === 205 || statusCode === 304

const isRetriedStatus = (operation: "create" | "revoke", statusCode: number): boolean =>
  statusCode === 429 || (operation === "revoke" && statusCode >= 500 && statusCode <= 599)

const matches = (outcome: Outcome<unknown>, prediction: Prediction): boolean =>
  outcome._tag === "Success"
    ? prediction._tag === "Success"
    : outcome._tag === "Failure" &&
      outcome.error._tag === prediction._tag &&
      (prediction.reason === undefined || ("reason" in outcome.error && outcome.error.reason === prediction.reason))

const describeOutcome = (outcome: Outcome<unknown>): string =>
  outcome._tag === "Success"
    ? "Success"
    : outcome._tag === "Failure"
    ? `${outcome.error._tag} ${"reason" in outcome.error ? outcome.error.reason : ""} ${outcome.error.message}`
    : outcome.pretty

// ---------------------------------------------------------------------------------------------------------------
// one call against a scripted answer
// ---------------------------------------------------------------------------------------------------------------

const call = (operation: "create" | "revoke"): Effect.Effect<unknown, unknown, ClerkClient.ClerkClient> =>
  operation === "create"
    ? ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
    : ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")

/**
 * Runs the call on the TestClock and checks everything that holds for any answer: it ended within its bound, as a
 * token or a typed error (never a defect), and no secret reached a log, a span or the renderings of the result.
 */
const checkedCall = (operation: "create" | "revoke") =>
  Effect.gen(function*() {
    const run = yield* runBounded(call(operation).pipe(Effect.tapErrorCause(Effect.logError)), bound)
    assert(Option.isSome(run.exit), "the call did not end within its bound")
    const outcome = classify(run.exit.value)
    assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
    const text = yield* capturedText
    const leaked = leaks(
      { "logs and spans": [text], renderings: renderings(run.exit.value) },
      [sentinelKey, sentinelKeyCore, sentinelTicket, sentinelUrl]
    )
    expect(leaked).toEqual([])
    return outcome
  })

layer(Layer.empty)("fuzzing the answers (scripted transport)", (it) => {
  it.effect.prop(
    "any status, headers and body: a token or the predicted typed error, never a defect or a leak",
    [status, headers, body, fc.constantFrom("create" as const, "revoke" as const)],
    ([statusCode, responseHeaders, responseBody, operation]) =>
      Effect.gen(function*() {
        const outcome = yield* checkedCall(operation)
        const sent = nullBodyStatus(statusCode) || responseBody === undefined ? "" : responseBody
        const prediction = predict(statusCode, new TextEncoder().encode(sent))
        assert(
          matches(outcome, prediction),
          `status ${statusCode}: expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`
        )
        if (outcome._tag === "Success") {
          const token = outcome.value as ActorToken.ActorToken
          expect(token).toBeInstanceOf(ActorToken.ActorToken)
          expect(Redacted.isRedacted(token.token) || token.token == null).toBe(true)
        }
        const requests = yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count())
        if (isRetriedStatus(operation, statusCode)) {
          expect(requests).toBeGreaterThanOrEqual(1)
          expect(requests).toBeLessThanOrEqual(maxRetries + 1)
          if (statusCode !== 429) expect(requests).toBe(maxRetries + 1)
        } else {
          expect(requests).toBe(1)
        }
      }).pipe(
        Effect.provide(Layer.merge(
          Mock.layer(
            { [operation]: Mock.respond(statusCode, responseBody, { headers: responseHeaders }) },
            clientOptions
          ),
          Observe.layer
        ))
      ),
    { fastCheck: fastCheckParameters(200), timeout: 60_000 }
  )

  it.effect("every special body, on 200 and on 500, through both operations", () =>
    Effect.forEach(
      specialBodies.flatMap((text) =>
        [200, 500].flatMap((code) => (["create", "revoke"] as const).map((op) => ({ text, code, op })))
      ),
      ({ code, op, text }) =>
        Effect.gen(function*() {
          const outcome = yield* checkedCall(op)
          const prediction = predict(code, new TextEncoder().encode(text))
          assert(
            matches(outcome, prediction),
            `expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`
          )
        }).pipe(
          Effect.provide(Layer.merge(
            Mock.layer({ [op]: Mock.respond(code, text) }, clientOptions),
            Observe.layer
          ))
        ),
      { discard: true }
    ))
})

// ---------------------------------------------------------------------------------------------------------------
// raw bytes and invalid UTF-8
// ---------------------------------------------------------------------------------------------------------------

/**
 * The scripted transport sends strings (or JSON); to put arbitrary bytes on the wire this test uses the same
 * construction (a web `Response` through `HttpClientResponse.fromWeb`) with a `Uint8Array` body.
 */
const bytesLayer = (statusCode: number, bytes: Uint8Array) =>
  Layer.merge(
    ClerkClient.layer(clientOptions).pipe(
      Layer.provide(Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) =>
          Effect.sync(() =>
            HttpClientResponse.fromWeb(
              request,
              new Response(nullBodyStatus(statusCode) ? null : (bytes as Uint8Array<ArrayBuffer>), {
                status: statusCode
              })
            )
          )
        )
      ))
    ),
    Observe.layer
  )

const utf8 = (text: string) => Array.from(new TextEncoder().encode(text))

const invalidUtf8: ReadonlyArray<ReadonlyArray<number>> = [
  [0xff],
  [0xc3, 0x28],
  [0xe2, 0x28, 0xa1],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf],
  // A token whose user_id holds an invalid byte: it decodes to U+FFFD, which the id rule refuses.
  [...utf8(tokenJson().replace("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", "user_\u0000")).map((b) => (b === 0 ? 0xff : b))],
  // A token whose extra actor claim holds an invalid byte: still a valid token.
  [...utf8(tokenJson({ actor: { sub: "user_x", note: "\u0000" } })).map((b) => (b === 0 ? 0xfe : b))],
  // Invalid bytes between JSON tokens.
  [...utf8("{\"id\":"), 0xff, ...utf8("\"act_1\"}")]
]

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.constantFrom(...invalidUtf8).map((b) => Uint8Array.from(b)),
  fc.tuple(fc.constantFrom(...invalidUtf8), fc.uint8Array({ maxLength: 32 })).map(([a, b]) =>
    Uint8Array.from([...a, ...b])
  )
)

layer(Layer.empty)("error entries stay printable", (it) => {
  it.effect("a meta nested too deep to print is dropped; the entry, and a shallow meta, are kept", () =>
    Effect.gen(function*() {
      const deepMeta = `{"errors":[{"code":"deep","message":"m","long_message":"Deep.","meta":{"d":${nestedArray}}},` +
        `{"code":"shallow","message":"m","meta":{"param_name":"actor.sub"}}],"clerk_trace_id":"trace_1"}`
      const error = yield* ActorTokens.revoke("act_1").pipe(
        Effect.flip,
        Effect.provide(Mock.layer({ revoke: Mock.respond(400, deepMeta) }, clientOptions))
      )
      assert(error._tag === "ClerkBadRequest")
      expect(error.errors).toEqual([
        { code: "deep", message: "m", longMessage: "Deep." },
        { code: "shallow", message: "m", longMessage: "", meta: { param_name: "actor.sub" } }
      ])
      expect(error.message).toBe("Deep.")
      expect(error.clerkTraceId).toBe("trace_1")
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ _tag: "ClerkBadRequest", status: 400 })
    }))
})

layer(Layer.empty)("fuzzing raw bytes", (it) => {
  it.effect.prop(
    "random bytes and invalid UTF-8: a token or the predicted typed error, never a defect",
    [fc.constantFrom(200, 201, 400, 404, 429, 500, 503), bytes, fc.constantFrom("create" as const, "revoke" as const)],
    ([statusCode, raw, operation]) =>
      Effect.gen(function*() {
        const outcome = yield* checkedCall(operation)
        const prediction = predict(statusCode, raw)
        assert(matches(outcome, prediction), `expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`)
      }).pipe(Effect.provide(bytesLayer(statusCode, raw))),
    { fastCheck: fastCheckParameters(100), timeout: 60_000 }
  )
})

// ---------------------------------------------------------------------------------------------------------------
// valid params round-trip through the emulator
// ---------------------------------------------------------------------------------------------------------------

/**
 * The schema's arbitrary draws durations up to 2^31 - 1; the extremes of a positive safe integer are mixed in, since
 * an expiry computed from them is where an emulator or a client could overflow.
 */
const createParams = fc.oneof(
  Fixtures.createParams,
  fc.tuple(
    Fixtures.createParams,
    fc.constantFrom(1, 2 ** 31, 2 ** 43, 2 ** 52, Number.MAX_SAFE_INTEGER),
    fc.constantFrom(1, 2 ** 31, Number.MAX_SAFE_INTEGER)
  ).map(([params, expiresInSeconds, sessionMaxDurationInSeconds]) => ({
    ...params,
    expiresInSeconds,
    sessionMaxDurationInSeconds
  }))
)

layer(Layer.empty)("valid params round-trip through the emulator", (it) => {
  it.effect.prop(
    "what the emulator stored is what was sent, and what came back is what it stored",
    [createParams],
    ([params]) =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const exit = yield* Effect.exit(ActorTokens.create(params))
        assert(Exit.isSuccess(exit), "valid params must be accepted")
        const token = exit.value
        const [stored, ...others] = yield* emulator.tokens
        expect(others).toEqual([])
        assert(stored !== undefined)
        expect(yield* emulator.requestCount("create")).toBe(1)
        expect(stored.userId).toBe(params.userId)
        expect(stored.actor).toEqual(params.actor)
        expect(stored.sessionMaxDurationInSeconds).toBe(params.sessionMaxDurationInSeconds ?? 1800)
        // The emulator clamps an expiry beyond Number.MAX_SAFE_INTEGER (a lifetime of ~285,000 years or more).
        expect(stored.expiresAt).toBe(
          Math.min(stored.createdAt + (params.expiresInSeconds ?? 3600) * 1000, Number.MAX_SAFE_INTEGER)
        )
        expect(token.id).toBe(stored.id)
        expect(token.userId).toBe(stored.userId)
        expect(token.actor).toEqual(stored.actor)
        expect(token.status).toBe("pending")
        expect(Redacted.value(token.token!)).toBe(Redacted.value(stored.token!))
        expect(Redacted.value(token.url!)).toBe(Redacted.value(stored.url!))
        const secrets = [sentinelKey, sentinelKeyCore, Redacted.value(stored.token!), Redacted.value(stored.url!)]
        expect(yield* leakedFrom(exit, secrets)).toEqual([])
      }).pipe(
        Effect.provide(Layer.merge(
          TestClerk.layer({ emulator: { secretKey: sentinelKey }, client: { maxRetries: 0 } }),
          Observe.layer
        ))
      ),
    { fastCheck: fastCheckParameters(100), timeout: 60_000 }
  )
})

// ---------------------------------------------------------------------------------------------------------------
// ids
// ---------------------------------------------------------------------------------------------------------------

/** The id rule, stated independently of the schema package: 1–128 of `[A-Za-z0-9_-]`. */
const isValidId = (id: string): boolean => /^[A-Za-z0-9_-]{1,128}$/.test(id)

const explicitIds: ReadonlyArray<string> = [
  "../x",
  "..",
  ".",
  "",
  "a/b",
  "a?b",
  "a#b",
  "%2e%2e",
  "%2F",
  "act_1%2Frevoke",
  "act_1/../../users",
  "act_1;x",
  "act_1&x=1",
  "act_1\\x",
  "ünïcødé",
  "act_é",
  "ａｃｔ＿１",
  "😀",
  "act\u200b1",
  "act_1\u2028",
  " ",
  "act 1",
  " act_1",
  "act_1 ",
  "\tact_1",
  "act_1\r",
  "act_1\n",
  "act_1\r\nX-Injected: 1",
  "act_1\u0000",
  "a".repeat(128),
  "a".repeat(129),
  "act_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  "-",
  "_"
]

const ids = fc.oneof(
  fc.constantFrom(...explicitIds),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,130}$/),
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{0,10}$/), fc.constantFrom("/", "?", "#", "%", ".", " ", "\n", "é")).map(
    ([prefix, special]) => `${prefix}${special}${prefix}`
  )
)

const checkId = (id: string) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(ActorTokens.revoke(id))
    const outcome = classify(exit)
    assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
    const requests = yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)
    if (isValidId(id)) {
      expect(outcome._tag).toBe("Success")
      expect(requests).toHaveLength(1)
      expect(requests[0]?.path.split("/")).toEqual(["", "v1", "actor_tokens", id, "revoke"])
      expect(requests[0]?.method).toBe("POST")
    } else {
      assert(outcome._tag === "Failure", "an invalid id must be refused")
      expect(outcome.error._tag).toBe("ClerkInvalidInput")
      expect(requests).toHaveLength(0)
    }
    expect(yield* leakedFrom(exit, [sentinelKey, sentinelKeyCore, sentinelTicket, sentinelUrl])).toEqual([])
  }).pipe(
    Effect.provide(Layer.merge(
      Mock.layer({
        revoke: Mock.actorToken({
          status: "revoked",
          token: Redacted.make(sentinelTicket),
          url: Redacted.make(sentinelUrl)
        })
      }, clientOptions),
      Observe.layer
    ))
  )

layer(Layer.empty)("arbitrary strings as ids", (it) => {
  it.effect("the explicit hostile ids", () => Effect.forEach(explicitIds, checkId, { discard: true }))

  it.effect("untyped input nested 100,000 levels deep is refused, not a defect", () =>
    Effect.gen(function*() {
      const deep = JSON.parse(nestedArray) as unknown as string
      for (
        const call of [
          ActorTokens.revoke(deep),
          ActorTokens.create({ userId: deep, actor: { sub: "user_2" } }),
          ActorTokens.create({ userId: "user_1", actor: { sub: deep } }),
          ActorTokens.create({
            userId: "user_1",
            actor: { sub: "user_2" },
            expiresInSeconds: deep as unknown as number
          })
        ]
      ) {
        const outcome = classify(yield* Effect.exit(call as Effect.Effect<unknown, unknown, ClerkClient.ClerkClient>))
        assert(outcome._tag === "Failure", outcome._tag === "Defect" ? outcome.pretty : "expected ClerkInvalidInput")
        expect(outcome.error._tag).toBe("ClerkInvalidInput")
      }
      expect(yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count())).toBe(0)
    }).pipe(Effect.provide(Mock.layer({}, clientOptions))))

  it.effect.prop(
    "any string: sent as exactly one path segment, or refused with no request",
    [ids],
    ([id]) => checkId(id),
    { fastCheck: fastCheckParameters(300), timeout: 60_000 }
  )
})
