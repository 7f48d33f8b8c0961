/**
 * Property-based fuzzing of the client (fast-check through `it.effect.prop`, seeded; override with
 * `RELIABILITY_SEED` / scale runs with `RELIABILITY_RUNS`), through every operation that reaches Clerk: the token
 * operations (create, revoke) and the session operations (`Sessions.list`, `Sessions.get`, `Sessions.revoke`):
 *
 * - any status, headers (Retry-After junk included) and body the scripted transport can answer with — random JSON,
 *   random text, tokens, sessions and pages of sessions (valid, one field replaced, cut anywhere, credentials in the
 *   wrong place), bodies over 1 MiB, JSON nested 100,000 levels deep, raw bytes and invalid UTF-8 — end in the
 *   operation's value or one typed error of the client's union, the one an independent oracle predicts; never a
 *   defect, never a hang, and never with the secret key or a returned credential in a log, a span or the error's
 *   renderings;
 * - any valid create params round-trip through the emulator: what it stored is what was sent;
 * - any string used as an id (of a token or a session) is either a valid id, sent as exactly one path segment, or
 *   refused with no request;
 * - any strings and numbers as the session list's query are either refused with no request, or sent as exactly the
 *   query the schema encodes.
 */
import { ActorTokens, ClerkClient, Sessions } from "@effect-clerk/client"
import { ActorToken, Session } from "@effect-clerk/schema"
import { Emulator, Fixtures, Mock, Observe, TestClerk } from "@effect-clerk/test-kit"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { afterAll, assert, beforeAll, expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Exit, FastCheck as fc, Layer, Option, Redacted, Schema } from "effect"
import { expectFields } from "../support.js"
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
/** The deepest success body the client decodes (`maxSuccessDepth` in internal/limits.ts), stated independently. */
const maxSuccessDepth = 40
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
// operations
// ---------------------------------------------------------------------------------------------------------------

/** The operations fuzzed here, named as the scripted transport's routes (the session-token routes have their own tests). */
type Operation = Exclude<Emulator.Operation, "createSessionToken" | "getJwks">

const allOperations: ReadonlyArray<Operation> = ["create", "revoke", "listSessions", "getSession", "revokeSession"]

/** What an operation answers on success: a token, a session, or a page of sessions. */
type Shape = "token" | "session" | "list"

const shapeOf = (operation: Operation): Shape =>
  operation === "create" || operation === "revoke" ? "token" : operation === "listSessions" ? "list" : "session"

const call = (operation: Operation): Effect.Effect<unknown, unknown, ClerkClient.ClerkClient> => {
  switch (operation) {
    case "create":
      return ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
    case "revoke":
      return ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
    case "listSessions":
      return Sessions.list({ userId: "user_1", status: "active" })
    case "getSession":
      return Sessions.get("sess_2EL6mQKzeUtoRwGuLZsznyfkIsH")
    case "revokeSession":
      return Sessions.revoke("sess_2EL6mQKzeUtoRwGuLZsznyfkIsH")
  }
}

// ---------------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------------

const encodeToken = Schema.encodeSync(ActorToken.ActorToken)
const tokenJson = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...encodeToken(Fixtures.pendingToken), token: sentinelTicket, url: sentinelUrl, ...fields })

const encodeSession = Schema.encodeSync(Session.Session)
const activity = {
  object: "session_activity",
  id: "sess_activity_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  is_mobile: false,
  browser_name: "Firefox",
  ip_address: "203.0.113.7",
  city: "Berlin",
  country: "DE"
}
/** An impersonated session's wire JSON, with its latest activity. */
const sessionWire = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...encodeSession(Mock.sessionValue()),
  latest_activity: activity,
  ...fields
})
const sessionJson = (fields: Record<string, unknown> = {}): string => JSON.stringify(sessionWire(fields))
/** A page of one session, in the paginated shape `{ data, total_count }`. */
const listJson = (fields: Record<string, unknown> = {}, session: Record<string, unknown> = {}): string =>
  JSON.stringify({ data: [sessionWire(session)], total_count: 1, ...fields })

/** A valid answer of each shape, with these top-level fields (or, for a page, these fields on its session). */
const shaped: Record<Shape, (fields?: Record<string, unknown>) => string> = {
  token: tokenJson,
  session: sessionJson,
  list: (fields) => listJson({}, fields)
}

/** A valid answer padded with an extra top-level field to exactly `size` bytes (ASCII, so characters are bytes). */
const ofSize = (shape: Shape, size: number): string => {
  const padded = (padding: string) => shape === "list" ? listJson({ padding }) : shaped[shape]({ padding })
  return padded("p".repeat(size - padded("").length))
}

/** Claims nested `levels` objects deep (a flat object is 1). */
const claimsOfDepth = (levels: number): Record<string, unknown> => {
  let claims: Record<string, unknown> = { sub: "user_x" }
  for (let level = 1; level < levels; level++) claims = { sub: "user_x", nested: claims }
  return claims
}

/** How many levels of the answer sit above the actor's claims: the token or session, and a page's `data` array. */
const levelsAboveActor: Record<Shape, number> = { token: 1, session: 1, list: 3 }

const nestedArray = "[".repeat(depth) + "]".repeat(depth)
const nestedObject = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)

/** Bodies no generator would find by chance: nesting far beyond any recursive parser's stack, and the size limit. */
const genericSpecialBodies: ReadonlyArray<string> = [
  "x".repeat(MiB + 1),
  nestedArray,
  nestedObject,
  "[".repeat(depth),
  `{"errors":[{"code":"c","message":"m","meta":{"deep":${nestedArray}}}],"meta":${nestedObject}}`,
  `{"errors":${nestedArray}}`
]

/** The limits, through a valid answer of each shape: its size, and the depth of the actor's claims inside it. */
const shapedSpecialBodies = (shape: Shape): ReadonlyArray<string> => [
  ofSize(shape, MiB),
  ofSize(shape, MiB + 1),
  // Fewer than 1 Mi characters, more than 1 MiB: the limit counts bytes.
  `${shaped[shape]().slice(0, -1)},"padding":"${"é".repeat(MiB / 2)}"}`,
  shaped[shape]({ actor: { sub: "user_x", deep: "@deep@" } }).replace("\"@deep@\"", nestedArray),
  // Exactly at the depth bound, and one level beyond it.
  shaped[shape]({ actor: claimsOfDepth(maxSuccessDepth - levelsAboveActor[shape]) }),
  shaped[shape]({ actor: claimsOfDepth(maxSuccessDepth - levelsAboveActor[shape] + 1) })
]

const specialBodies = (operation: Operation): ReadonlyArray<string> => [
  ...genericSpecialBodies,
  ...shapedSpecialBodies(shapeOf(operation))
]

const jsonText = fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? "null")

/** A valid answer cut anywhere. */
const cut = (json: string) => fc.nat().map((n) => json.slice(0, n % json.length))

// Each shape: valid answers (the most often), one field replaced, credentials in the wrong place, cut anywhere.
const tokenBodies = fc.oneof(
  {
    weight: 3,
    arbitrary: Fixtures.actorTokenJson.map((json) =>
      JSON.stringify({ ...json, token: sentinelTicket, url: sentinelUrl })
    )
  },
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
  cut(tokenJson())
)

const sessionFields = [
  "object",
  "id",
  "user_id",
  "client_id",
  "actor",
  "status",
  "last_active_organization_id",
  "last_active_at",
  "latest_activity",
  "expire_at",
  "abandon_at",
  "updated_at",
  "created_at",
  "tasks",
  "x"
] as const

const activityFields = [
  "object",
  "id",
  "is_mobile",
  "device_type",
  "browser_name",
  "browser_version",
  "ip_address",
  "city",
  "country",
  "x"
] as const

/** A session with one field (or one field of its latest activity) replaced by a random JSON value. */
const sessionWithOneFieldReplaced = fc.oneof(
  fc.tuple(fc.constantFrom(...sessionFields), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) =>
    sessionWire({ [key]: value })
  ),
  fc.tuple(fc.constantFrom(...activityFields), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) =>
    sessionWire({ latest_activity: { ...activity, [key]: value } })
  )
)

const sessionBodies = fc.oneof(
  { weight: 3, arbitrary: Fixtures.sessionJson.map((json) => JSON.stringify(json)) },
  sessionWithOneFieldReplaced.map((json) => JSON.stringify(json)),
  // Credentials where a session has no room for them: a mismatch whose message names the paths, never the values.
  fc.constantFrom(
    sessionJson({ id: sentinelUrl }),
    sessionJson({ user_id: sentinelUrl }),
    sessionJson({ status: sentinelTicket }),
    sessionJson({ object: sentinelTicket }),
    sessionJson({ actor: sentinelUrl }),
    sessionJson({ created_at: sentinelTicket }),
    sessionJson({ latest_activity: sentinelUrl }),
    sessionJson({ latest_activity: { ...activity, is_mobile: sentinelTicket } }),
    sessionJson({ tasks: [sentinelTicket] })
  ),
  cut(sessionJson())
)

const sessionsJson = fc.array(Fixtures.sessionJson, { maxLength: 3 })

const listBodies = fc.oneof(
  // Both shapes the server sends: a bare array, and `{ data, total_count }`.
  { weight: 2, arbitrary: sessionsJson.map((data) => JSON.stringify(data)) },
  {
    weight: 2,
    arbitrary: fc.tuple(sessionsJson, fc.nat()).map(([data, total]) => JSON.stringify({ data, total_count: total }))
  },
  // A page with one of its own fields replaced, or with one field of its session replaced, in either shape.
  fc.tuple(fc.constantFrom("data", "total_count", "x"), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) =>
    listJson({ [key]: value })
  ),
  fc.tuple(sessionWithOneFieldReplaced, fc.boolean()).map(([session, paginated]) =>
    JSON.stringify(paginated ? { data: [session], total_count: 1 } : [session])
  ),
  fc.constantFrom(
    JSON.stringify({ data: [sessionWire()] }),
    JSON.stringify({ total_count: 1 }),
    JSON.stringify({ data: sentinelTicket, total_count: 1 }),
    JSON.stringify({ data: [sentinelUrl], total_count: 1 }),
    JSON.stringify([sentinelTicket]),
    listJson({ total_count: sentinelUrl }),
    listJson({}, { status: sentinelTicket }),
    JSON.stringify([sessionWire({ id: sentinelUrl })])
  ),
  cut(listJson())
)

const shapedBodies: Record<Shape, fc.Arbitrary<string>> = {
  token: tokenBodies,
  session: sessionBodies,
  list: listBodies
}

/** Bodies for one operation: mostly its own shape, sometimes another operation's answer, and anything at all. */
const bodyFor = (operation: Operation): fc.Arbitrary<string | undefined> => {
  const own = shapeOf(operation)
  return fc.oneof(
    { weight: 4, arbitrary: shapedBodies[own] },
    {
      weight: 1,
      arbitrary: fc.oneof(
        ...(["token", "session", "list"] as const).filter((s) => s !== own).map((s) => shapedBodies[s])
      )
    },
    { weight: 2, arbitrary: jsonText },
    { weight: 2, arbitrary: Fixtures.clerkErrorBodyJson.map((json) => JSON.stringify(json)) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom(...specialBodies(operation)) },
    { weight: 1, arbitrary: fc.constant(undefined) }
  )
}

// Built once per operation: the special bodies are megabytes to build.
const operationAndBody: fc.Arbitrary<readonly [Operation, string | undefined]> = fc.oneof(
  ...allOperations.map((operation) => bodyFor(operation).map((body) => [operation, body] as const))
)

// ---------------------------------------------------------------------------------------------------------------
// statuses and headers
// ---------------------------------------------------------------------------------------------------------------

// A 2xx is where the body matters (any other status maps to its error whatever the body): about a third are 200 or 201.
const status = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(200, 201) },
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

const decoders: Record<Shape, (json: unknown) => boolean> = {
  token: (json) =>
    Either.isRight(Schema.decodeUnknownEither(ActorToken.ActorToken)(json, { onExcessProperty: "ignore" })),
  session: (json) => Either.isRight(Schema.decodeUnknownEither(Session.Session)(json, { onExcessProperty: "ignore" })),
  list: (json) => Either.isRight(Schema.decodeUnknownEither(Session.SessionList)(json, { onExcessProperty: "ignore" }))
}

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
 * What the client must answer, from the operation, the status and the bytes on the wire alone: a 2xx is decoded
 * (size, then JSON, then depth, then the operation's shape); any other status is mapped to its error class whatever
 * the body.
 */
const predict = (operation: Operation, statusCode: number, bytes: Uint8Array): Prediction => {
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
  // No answer nests deeper than 40 levels; a deeper body is refused before it is decoded.
  if (depthOf(json) > maxSuccessDepth) return { _tag: "ClerkDecodeError", reason: "SchemaMismatch" }
  return decoders[shapeOf(operation)](json)
    ? { _tag: "Success" }
    : { _tag: "ClerkDecodeError", reason: "SchemaMismatch" }
}

/** The statuses a web `Response` cannot carry a body with, as the scripted transport sends them. */
const nullBodyStatus = (statusCode: number): boolean =>
  statusCode < 200 || statusCode === 204 || statusCode === 205 || statusCode === 304

/** 429 is retried for every operation; a 5xx for every operation but create (the only one not idempotent). */
const isRetriedStatus = (operation: Operation, statusCode: number): boolean =>
  statusCode === 429 || (operation !== "create" && statusCode >= 500 && statusCode <= 599)

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

/**
 * A success is the operation's value, built from the body sent: a token keeps its credentials `Redacted`; a page
 * holds the sessions of either shape in order, with `totalCount` exactly when the server gave `total_count`.
 */
const checkValue = (operation: Operation, value: unknown, sent: string): void => {
  switch (shapeOf(operation)) {
    case "token": {
      const token = value as ActorToken.ActorToken
      expect(token).toBeInstanceOf(ActorToken.ActorToken)
      expect(Redacted.isRedacted(token.token) || token.token == null).toBe(true)
      expect(Redacted.isRedacted(token.url) || token.url == null).toBe(true)
      return
    }
    case "session":
      expect(value).toBeInstanceOf(Session.Session)
      expect((value as Session.Session).id).toBe((JSON.parse(sent) as { readonly id: string }).id)
      return
    case "list": {
      const page = value as Session.SessionList
      const wire = JSON.parse(sent) as
        | ReadonlyArray<{ readonly id: string }>
        | { readonly data: ReadonlyArray<{ readonly id: string }>; readonly total_count: number }
      const [sessions, totalCount] = Array.isArray(wire)
        ? [wire, undefined]
        : [
          (wire as { readonly data: ReadonlyArray<{ readonly id: string }> }).data,
          (wire as { total_count: number }).total_count
        ]
      for (const session of page.data) expect(session).toBeInstanceOf(Session.Session)
      expect(page.data.map((s) => s.id)).toEqual(sessions.map((s) => s.id))
      expect(page.totalCount).toBe(totalCount)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// one call against a scripted answer
// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs the call on the TestClock and checks everything that holds for any answer: it ended within its bound, as the
 * operation's value or a typed error (never a defect), and no secret reached a log, a span or the renderings of the
 * result.
 */
const checkedCall = (operation: Operation) =>
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
    "any status, headers and body: the operation's value or the predicted typed error, never a defect or a leak",
    [status, headers, operationAndBody],
    ([statusCode, responseHeaders, [operation, responseBody]]) =>
      Effect.gen(function*() {
        const outcome = yield* checkedCall(operation)
        const sent = nullBodyStatus(statusCode) || responseBody === undefined ? "" : responseBody
        const prediction = predict(operation, statusCode, new TextEncoder().encode(sent))
        assert(
          matches(outcome, prediction),
          `${operation}, status ${statusCode}: expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`
        )
        if (outcome._tag === "Success") checkValue(operation, outcome.value, sent)
        const requests = yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count(operation))
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
    { fastCheck: fastCheckParameters(300), timeout: 120_000 }
  )

  it.effect("every special body, on 200 and on 500, through every operation", () =>
    Effect.forEach(
      allOperations.flatMap((op) =>
        specialBodies(op).flatMap((text) => [200, 500].map((code) => ({ text, code, op })))
      ),
      ({ code, op, text }) =>
        Effect.gen(function*() {
          const outcome = yield* checkedCall(op)
          const prediction = predict(op, code, new TextEncoder().encode(text))
          assert(
            matches(outcome, prediction),
            `${op}, status ${code}: expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`
          )
          if (outcome._tag === "Success") checkValue(op, outcome.value, text)
        }).pipe(
          Effect.provide(Layer.merge(
            Mock.layer({ [op]: Mock.respond(code, text) }, clientOptions),
            Observe.layer
          ))
        ),
      { discard: true }
    ), { timeout: 60_000 })

  it.effect("the depth bound: an answer nested exactly 40 levels is decoded, one level more is refused", () =>
    Effect.forEach(
      allOperations,
      (op) => {
        const shape = shapeOf(op)
        const [atBound, beyond] = [0, 1].map((extra) =>
          shaped[shape]({ actor: claimsOfDepth(maxSuccessDepth - levelsAboveActor[shape] + extra) })
        )
        expect([depthOf(JSON.parse(atBound!)), depthOf(JSON.parse(beyond!))]).toEqual([
          maxSuccessDepth,
          maxSuccessDepth + 1
        ])
        return Effect.gen(function*() {
          const first = yield* checkedCall(op)
          assert(first._tag === "Success", `${op} at the bound: ${describeOutcome(first)}`)
          const second = yield* checkedCall(op)
          assert(second._tag === "Failure", `${op} beyond the bound: ${describeOutcome(second)}`)
          expectFields(second.error, { _tag: "ClerkDecodeError", reason: "SchemaMismatch" })
        }).pipe(
          Effect.provide(Layer.merge(
            Mock.layer({ [op]: [Mock.respond(200, atBound), Mock.respond(200, beyond)] }, clientOptions),
            Observe.layer
          ))
        )
      },
      { discard: true }
    ))
})

// ---------------------------------------------------------------------------------------------------------------
// raw bytes and invalid UTF-8
// ---------------------------------------------------------------------------------------------------------------

/**
 * A client over a transport that answers every request with `answer` and keeps the URL it was sent to. The scripted
 * transport sends strings (or JSON) and keeps a query by name; this one puts arbitrary bytes on the wire, with the
 * same construction (a web `Response` through `HttpClientResponse.fromWeb`), and keeps every URL whole.
 */
const transportLayer = (answer: () => Response, urls: Array<URL> = []) =>
  Layer.merge(
    ClerkClient.layer(clientOptions).pipe(
      Layer.provide(Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request, url) =>
          Effect.sync(() => {
            urls.push(new URL(url.href))
            return HttpClientResponse.fromWeb(request, answer())
          })
        )
      ))
    ),
    Observe.layer
  )

const bytesLayer = (statusCode: number, bytes: Uint8Array) =>
  transportLayer(() =>
    new Response(nullBodyStatus(statusCode) ? null : (bytes as Uint8Array<ArrayBuffer>), { status: statusCode })
  )

const utf8 = (text: string) => Array.from(new TextEncoder().encode(text))

/** The text's bytes, with each NUL character's byte replaced by `byte` (an invalid one). */
const withInvalidByte = (text: string, byte: number): ReadonlyArray<number> =>
  utf8(text).map((b) => (b === 0 ? byte : b))

const invalidUtf8: ReadonlyArray<ReadonlyArray<number>> = [
  [0xff],
  [0xc3, 0x28],
  [0xe2, 0x28, 0xa1],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf],
  // A token, a session and a page whose id field holds an invalid byte: it decodes to U+FFFD, which the id rule
  // refuses.
  withInvalidByte(tokenJson({ user_id: "user_\u0000" }), 0xff),
  withInvalidByte(sessionJson({ user_id: "user_\u0000" }), 0xff),
  withInvalidByte(listJson({}, { id: "sess_\u0000" }), 0xff),
  // A token, a session and a page whose extra actor claim holds an invalid byte: still valid.
  withInvalidByte(tokenJson({ actor: { sub: "user_x", note: "\u0000" } }), 0xfe),
  withInvalidByte(sessionJson({ actor: { sub: "user_x", note: "\u0000" } }), 0xfe),
  withInvalidByte(listJson({}, { actor: { sub: "user_x", note: "\u0000" } }), 0xfe),
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
    "random bytes and invalid UTF-8: the operation's value or the predicted typed error, never a defect",
    [fc.constantFrom(200, 201, 400, 404, 429, 500, 503), bytes, fc.constantFrom(...allOperations)],
    ([statusCode, raw, operation]) =>
      Effect.gen(function*() {
        const outcome = yield* checkedCall(operation)
        const prediction = predict(operation, statusCode, raw)
        assert(
          matches(outcome, prediction),
          `${operation}: expected ${JSON.stringify(prediction)}, got ${describeOutcome(outcome)}`
        )
      }).pipe(Effect.provide(bytesLayer(statusCode, raw))),
    { fastCheck: fastCheckParameters(150), timeout: 60_000 }
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
  "sess_1/revoke",
  "sess_1?user_id=user_2",
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
  "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
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

/** The operations that take an id, the request each sends for a valid one, and the scripted answer. */
const byId: Record<"revoke" | "getSession" | "revokeSession", {
  readonly call: (id: string) => Effect.Effect<unknown, unknown, ClerkClient.ClerkClient>
  readonly method: string
  readonly path: (id: string) => ReadonlyArray<string>
  readonly reply: Mock.Reply
}> = {
  revoke: {
    call: (id: string) => ActorTokens.revoke(id),
    method: "POST",
    path: (id: string) => ["", "v1", "actor_tokens", id, "revoke"],
    reply: Mock.actorToken({ status: "revoked", token: Redacted.make(sentinelTicket), url: Redacted.make(sentinelUrl) })
  },
  getSession: {
    call: (id: string) => Sessions.get(id),
    method: "GET",
    path: (id: string) => ["", "v1", "sessions", id],
    reply: Mock.session()
  },
  revokeSession: {
    call: (id: string) => Sessions.revoke(id),
    method: "POST",
    path: (id: string) => ["", "v1", "sessions", id, "revoke"],
    reply: Mock.session({ status: "revoked" })
  }
}

type ByIdOperation = keyof typeof byId

const byIdOperations = Object.keys(byId) as ReadonlyArray<ByIdOperation>

const checkId = (operation: ByIdOperation, id: string) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(byId[operation].call(id))
    const outcome = classify(exit)
    assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
    const requests = yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)
    if (isValidId(id)) {
      expect(outcome._tag).toBe("Success")
      expect(requests).toHaveLength(1)
      expect(requests[0]?.path.split("/")).toEqual(byId[operation].path(id))
      expect(requests[0]?.method).toBe(byId[operation].method)
      expect(requests[0]?.query).toEqual({})
    } else {
      assert(outcome._tag === "Failure", `${operation}: an invalid id must be refused`)
      expect(outcome.error._tag).toBe("ClerkInvalidInput")
      expect(requests).toHaveLength(0)
    }
    expect(yield* leakedFrom(exit, [sentinelKey, sentinelKeyCore, sentinelTicket, sentinelUrl])).toEqual([])
  }).pipe(
    Effect.provide(Layer.merge(Mock.layer({ [operation]: byId[operation].reply }, clientOptions), Observe.layer))
  )

layer(Layer.empty)("arbitrary strings as ids", (it) => {
  it.effect("the explicit hostile ids, through every operation that takes an id", () =>
    Effect.forEach(
      byIdOperations.flatMap((op) => explicitIds.map((id) => [op, id] as const)),
      ([op, id]) => checkId(op, id),
      { discard: true }
    ))

  it.effect("untyped input nested 100,000 levels deep is refused, not a defect", () =>
    Effect.gen(function*() {
      const deep = JSON.parse(nestedArray) as unknown as string
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown, ClerkClient.ClerkClient>> = [
        ActorTokens.revoke(deep),
        ActorTokens.create({ userId: deep, actor: { sub: "user_2" } }),
        ActorTokens.create({ userId: "user_1", actor: { sub: deep } }),
        ActorTokens.create({
          userId: "user_1",
          actor: { sub: "user_2" },
          expiresInSeconds: deep as unknown as number
        }),
        Sessions.get(deep),
        Sessions.revoke(deep),
        Sessions.list({ userId: deep }),
        Sessions.list({ clientId: deep }),
        Sessions.list({ userId: "user_1", status: deep as unknown as "active" }),
        Sessions.list({ userId: "user_1", limit: deep as unknown as number }),
        Sessions.list({ userId: "user_1", offset: deep as unknown as number }),
        Sessions.list(deep as unknown as Sessions.ListParams)
      ]
      for (const call of calls) {
        const outcome = classify(yield* Effect.exit(call))
        assert(outcome._tag === "Failure", outcome._tag === "Defect" ? outcome.pretty : "expected ClerkInvalidInput")
        expect(outcome.error._tag).toBe("ClerkInvalidInput")
      }
      expect(yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count())).toBe(0)
    }).pipe(Effect.provide(Mock.layer({}, clientOptions))))

  it.effect.prop(
    "any string: sent as exactly one path segment, or refused with no request",
    [fc.constantFrom(...byIdOperations), ids],
    ([operation, id]) => checkId(operation, id),
    { fastCheck: fastCheckParameters(450), timeout: 60_000 }
  )
})

// ---------------------------------------------------------------------------------------------------------------
// the session list's query
// ---------------------------------------------------------------------------------------------------------------

/** The statuses the list filters by (every session status but `pending`), stated independently of the schema. */
const listStatuses: ReadonlyArray<string> = [
  "abandoned",
  "active",
  "ended",
  "expired",
  "removed",
  "replaced",
  "revoked"
]

/** Mostly valid ids, so that whole queries are often valid; any string otherwise. */
const queryId = fc.option(
  fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) }, { weight: 1, arbitrary: ids }),
  { nil: undefined, freq: 3 }
)

const queryStatus = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...listStatuses) },
    fc.constantFrom("pending", "Active", "active ", "active&user_id=user_2", "", "%61ctive"),
    fc.string({ maxLength: 12 })
  ),
  { nil: undefined, freq: 2 }
)

const oddNumbers = fc.constantFrom(
  0,
  -0,
  -1,
  0.5,
  1.5,
  500.5,
  NaN,
  Infinity,
  -Infinity,
  1e21,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.EPSILON
)

const queryLimit = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 500 }) },
    { weight: 1, arbitrary: fc.constantFrom(1, 500, 501, 10_000) },
    { weight: 1, arbitrary: oddNumbers },
    { weight: 1, arbitrary: fc.double() }
  ),
  { nil: undefined, freq: 3 }
)

const queryOffset = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.nat() },
    { weight: 1, arbitrary: oddNumbers },
    { weight: 1, arbitrary: fc.double() }
  ),
  { nil: undefined, freq: 3 }
)

/** The list's rules, stated independently of the schema package. */
const isValidQuery = (params: Sessions.ListParams): boolean =>
  (params.userId !== undefined || params.clientId !== undefined) &&
  (params.userId === undefined || isValidId(params.userId)) &&
  (params.clientId === undefined || isValidId(params.clientId)) &&
  (params.status === undefined || listStatuses.includes(params.status)) &&
  (params.limit === undefined || (Number.isSafeInteger(params.limit) && params.limit >= 1 && params.limit <= 500)) &&
  (params.offset === undefined || (Number.isSafeInteger(params.offset) && params.offset >= 0))

/** The query a valid list sends, in Clerk's names, each parameter once: sorted `[name, value]` pairs. */
const expectedQuery = (params: Sessions.ListParams): ReadonlyArray<readonly [string, string]> =>
  [
    ["user_id", params.userId],
    ["client_id", params.clientId],
    ["status", params.status],
    ["limit", params.limit === undefined ? undefined : String(params.limit)],
    ["offset", params.offset === undefined ? undefined : String(params.offset)],
    ["paginated", "true"]
  ].flatMap(([name, value]) => value === undefined ? [] : [[name!, value] as const]).sort()

layer(Layer.empty)("arbitrary session list queries", (it) => {
  it.effect.prop(
    "any ids, status and numbers: sent as exactly the encoded query, or refused with no request",
    [queryId, queryId, queryStatus, queryLimit, queryOffset],
    ([userId, clientId, status, limit, offset]) => {
      const params = { userId, clientId, status: status as Session.SessionListStatus | undefined, limit, offset }
      const urls: Array<URL> = []
      return Effect.gen(function*() {
        const exit = yield* Effect.exit(Sessions.list(params))
        const outcome = classify(exit)
        assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
        if (isValidQuery(params)) {
          assert(outcome._tag === "Success", `a valid query must be sent: ${describeOutcome(outcome)}`)
          expect(urls).toHaveLength(1)
          const url = urls[0]!
          expect([url.origin, url.pathname, url.hash]).toEqual(["https://api.clerk.com", "/v1/sessions", ""])
          // Every parameter once, nothing added: the raw query splits into exactly the expected pairs.
          expect([...url.searchParams].sort()).toEqual(expectedQuery(params))
          expect(url.search.slice(1).split("&")).toHaveLength(expectedQuery(params).length)
        } else {
          assert(outcome._tag === "Failure", `an invalid query must be refused: ${JSON.stringify(params)}`)
          expect(outcome.error._tag).toBe("ClerkInvalidInput")
          expect(urls).toHaveLength(0)
        }
        expect(yield* leakedFrom(exit, [sentinelKey, sentinelKeyCore])).toEqual([])
      }).pipe(
        Effect.provide(
          transportLayer(
            () => new Response(JSON.stringify({ data: [], total_count: 0 }), { status: 200 }),
            urls
          )
        )
      )
    },
    { fastCheck: fastCheckParameters(300), timeout: 60_000 }
  )
})
