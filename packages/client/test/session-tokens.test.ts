import { Jwks, Sessions } from "@effect-clerk/client"
import { Emulator, Mock, Observe } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Redacted, TestClock } from "effect"
import * as util from "node:util"
import { everyStatus, retriedReplies } from "./support.js"

const recorded = Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)
const count = (route: Emulator.Operation) => Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count(route))

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTRU5USU5FTCJ9.SENTINEL_SIGNATURE_5d1c"
const rsaKey = {
  kid: "ins_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  alg: "RS256",
  use: "sig",
  kty: "RSA",
  n: "xjlCRBqkOJIzyDyddLEmKpJx7Vpv4cKd",
  e: "AQAB"
}

describe("Sessions.createToken", () => {
  it.effect("is POST /v1/sessions/{id}/tokens with an empty body, and answers the jwt Redacted", () =>
    Effect.gen(function*() {
      const jwt = yield* Sessions.createToken("sess_abc")
      expect(Redacted.isRedacted(jwt)).toBe(true)
      expect(Redacted.value(jwt)).toBe(JWT)
      expect(yield* recorded).toMatchObject([{
        method: "POST",
        path: "/v1/sessions/sess_abc/tokens",
        route: "createSessionToken",
        body: {}
      }])
    }).pipe(Effect.provide(Mock.layer({ createSessionToken: Mock.sessionToken(JWT) }))))

  it.effect("sends expires_in_seconds when given, at both ends of 30..315360000", () =>
    Effect.gen(function*() {
      yield* Sessions.createToken("sess_abc", { expiresInSeconds: 300 })
      yield* Sessions.createToken("sess_abc", { expiresInSeconds: 30 })
      yield* Sessions.createToken("sess_abc", { expiresInSeconds: 315_360_000 })
      yield* Sessions.createToken("sess_abc", { expiresInSeconds: undefined })
      expect((yield* recorded).map((request) => request.body)).toEqual([
        { expires_in_seconds: 300 },
        { expires_in_seconds: 30 },
        { expires_in_seconds: 315_360_000 },
        {}
      ])
    }).pipe(Effect.provide(Mock.layer({ createSessionToken: Mock.sessionToken(JWT) }))))

  for (const id of ["", "sess_1/revoke", "sess_1?x=1", "..", "%2e%2e", "a".repeat(129)]) {
    it.effect(`refuses the id ${JSON.stringify(id.slice(0, 20))} with ClerkInvalidInput, sending nothing`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Sessions.createToken(id))
        expect(error._tag).toBe("ClerkInvalidInput")
        expect(yield* recorded).toEqual([])
      }).pipe(Effect.provide(Mock.layer({ createSessionToken: Mock.sessionToken(JWT) }))))
  }

  const refused: ReadonlyArray<readonly [string, unknown]> = [
    ["29 seconds", { expiresInSeconds: 29 }],
    ["0 seconds", { expiresInSeconds: 0 }],
    ["315360001 seconds", { expiresInSeconds: 315_360_001 }],
    ["a fraction of a second", { expiresInSeconds: 60.5 }],
    ["NaN", { expiresInSeconds: Number.NaN }],
    ["a string", { expiresInSeconds: "60" }],
    ["an unknown option", { expiresInSeconds: 60, template: "custom" }],
    ["options that are not an object", "60"]
  ]
  for (const [name, options] of refused) {
    it.effect(`refuses ${name} with ClerkInvalidInput naming expires, sending nothing`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Sessions.createToken("sess_abc", options as never))
        expect(error._tag).toBe("ClerkInvalidInput")
        expect(error.message).toContain("session token options")
        expect(yield* recorded).toEqual([])
      }).pipe(Effect.provide(Mock.layer({ createSessionToken: Mock.sessionToken(JWT) }))))
  }

  for (const [name, reply] of retriedReplies) {
    it.effect(`is safe to repeat: retried after ${name}`, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Sessions.createToken("sess_abc"))
        yield* TestClock.adjust("1 minute")
        expect(Redacted.value(yield* Fiber.join(fiber))).toBe(JWT)
        expect(yield* count("createSessionToken")).toBe(2)
      }).pipe(Effect.provide(Mock.layer(
        { createSessionToken: [reply, Mock.sessionToken(JWT)] },
        { timeout: "5 seconds" }
      ))))
  }
})

describe("Jwks.get", () => {
  it.effect("is GET /v1/jwks with the secret key, every key kept as served", () =>
    Effect.gen(function*() {
      const ec = { kid: "ins_ec", alg: "ES256", use: "sig", kty: "EC", crv: "P-256", x: "eA", y: "eQ" }
      const set = yield* Jwks.get().pipe(
        Effect.provide(Mock.layer({ getJwks: Mock.respond(200, { keys: [{ ...rsaKey, x5c: ["MIIB"] }, ec] }) }))
      )
      expect(set.keys).toEqual([{ ...rsaKey, x5c: ["MIIB"] }, ec])
    }))

  it.effect("sends the key in the header and nothing else", () =>
    Effect.gen(function*() {
      yield* Jwks.get()
      const [request] = yield* recorded
      expect(request).toMatchObject({ method: "GET", path: "/v1/jwks", route: "getJwks", query: {} })
      expect(request?.body).toBeUndefined()
      expect(request?.authorization && Redacted.value(request.authorization)).toBe(
        `Bearer ${Emulator.defaultSecretKey}`
      )
    }).pipe(Effect.provide(Mock.layer({ getJwks: Mock.jwks([rsaKey]) }))))

  it.effect("is retried after a 5xx and a reset connection", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Jwks.get())
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).keys).toEqual([rsaKey])
      expect(yield* count("getJwks")).toBe(3)
    }).pipe(Effect.provide(Mock.layer({ getJwks: [Mock.respond(502), Mock.fail("ECONNRESET"), Mock.jwks([rsaKey])] }))))
})

describe("every status, for createToken and Jwks.get", () =>
  everyStatus([
    ["createToken", "createSessionToken", Sessions.createToken("sess_1")],
    ["Jwks.get", "getJwks", Jwks.get()]
  ], { keys: "nope", jwt: 1 }))

const renderings = (exit: Exit.Exit<unknown, unknown>): ReadonlyArray<string> =>
  Exit.match(exit, {
    onSuccess: (value) => [String(value), JSON.stringify(value), util.inspect(value, { depth: Infinity })],
    onFailure: (cause) => {
      const error = Cause.squash(cause) as Error
      return [String(error), error.message, JSON.stringify(error), Cause.pretty(cause), util.inspect(cause)]
    }
  })

describe("the minted jwt never shows in errors, logs or spans", () => {
  const scenarios: ReadonlyArray<readonly [string, Mock.Reply]> = [
    ["success", Mock.sessionToken(JWT)],
    ["a wrong shape carrying the jwt", Mock.respond(200, { object: "session", jwt: JWT })],
    ["truncated JSON carrying the jwt", Mock.respond(200, `{"object":"token","jwt":"${JWT}`)],
    ["a 500 after which the jwt comes", Mock.respond(500)]
  ]
  for (const [name, reply] of scenarios) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          Effect.exit(
            Sessions.createToken("sess_abc").pipe(Effect.tap(Effect.log), Effect.tapErrorCause(Effect.logError))
          )
        )
        yield* TestClock.adjust("1 minute")
        const exit = yield* fiber.await.pipe(Effect.flatten)
        const captured = yield* Observe.Captured
        const spans = yield* captured.spans
        expect(spans.map((span) => span.name)).toContain("Sessions.createToken")
        expect((yield* captured.logs).length).toBeGreaterThan(0)
        for (const rendered of [...renderings(exit), yield* captured.text]) {
          expect(rendered).not.toContain("SENTINEL")
        }
      }).pipe(
        Effect.provide(Layer.merge(
          Mock.layer({ createSessionToken: [reply, Mock.sessionToken(JWT)] }, { maxRetries: 1 }),
          Observe.layer
        ))
      ))
  }
})
