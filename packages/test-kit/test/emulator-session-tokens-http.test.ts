// The session-token and key-set routes over HTTP, in memory and on the TestClock: the real client mints a token for
// the session an accepted ticket started, and the emulator's own key set verifies it.
import { ActorTokens, Jwks, Sessions } from "@effect-clerk/client"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, TestClock } from "effect"
import * as Crypto from "node:crypto"
import { api, authed, decodeErrors, send, withClerk } from "./support.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const may12Seconds = may12 / 1000
const actor = { sub: "user_support", reason: "ticket 7", scope: { read: ["billing"] } }

const emulator = Emulator.Emulator
const mintRaw = (id: string, body?: string) =>
  send(
    (body === undefined
      ? HttpClientRequest.post(api(`/sessions/${id}/tokens`))
      : HttpClientRequest.post(api(`/sessions/${id}/tokens`)).pipe(
        HttpClientRequest.bodyText(body, "application/json")
      )).pipe(authed)
  )

/** The claims of a jwt, once its signature is verified with the emulator's published key. */
const verifiedClaims = (jwt: string) =>
  Effect.gen(function*() {
    const [key] = (yield* Effect.flatMap(emulator, (e) => e.jwks)).keys
    const publicKey = Crypto.createPublicKey({ key: { kty: "RSA", n: key!.n!, e: key!.e! }, format: "jwk" })
    const [header, claims, signature] = jwt.split(".")
    expect(Crypto.verify("sha256", Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature!, "base64url")))
      .toBe(true)
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toMatchObject({ kid: key!.kid })
    return JSON.parse(Buffer.from(claims!, "base64url").toString()) as Record<string, unknown>
  })

/** The session of an impersonation: a token created through the client, then accepted. */
const impersonation = Effect.gen(function*() {
  const token = yield* ActorTokens.create({ userId: "user_target", actor })
  yield* Effect.flatMap(emulator, (e) => e.accept(token.id))
  const [session] = yield* Sessions.list({ userId: "user_target" }).pipe(Effect.map((page) => page.data))
  return session!
})

describe("POST /v1/sessions/:session_id/tokens through Sessions.createToken", () => {
  it.effect("mints a 60-second v2 token of the impersonation, act = the actor given to the actor token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const session = yield* impersonation
      yield* TestClock.adjust("30 seconds")
      const jwt = yield* Sessions.createToken(session.id)
      expect(yield* verifiedClaims(Redacted.value(jwt))).toStrictEqual({
        sub: "user_target",
        sid: session.id,
        iss: Emulator.defaultBaseUrl,
        iat: may12Seconds + 30,
        nbf: may12Seconds + 20,
        exp: may12Seconds + 90,
        v: 2,
        sts: "active",
        act: actor
      })
      expect(yield* Effect.flatMap(emulator, (e) => e.requestCount("createSessionToken"))).toBe(1)
    }).pipe(withClerk()))

  it.effect("honours expires_in_seconds, and an empty or null body is the default", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const session = yield* impersonation
      const long = yield* verifiedClaims(
        Redacted.value(yield* Sessions.createToken(session.id, { expiresInSeconds: 3600 }))
      )
      expect(long["exp"]).toBe(may12Seconds + 3600)
      for (const body of [undefined, "", "{}", "{\"expires_in_seconds\":null}"]) {
        const answer = yield* mintRaw(session.id, body)
        expect(answer.status, String(body)).toBe(200)
        const { jwt, object } = JSON.parse(answer.text)
        expect(object).toBe("token")
        expect((yield* verifiedClaims(jwt))["exp"]).toBe(may12Seconds + 60)
      }
    }).pipe(withClerk()))

  it.effect("a seeded session of the user's own has no act; a pending one has sts pending", () =>
    Effect.gen(function*() {
      const own = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: "user_own" }))
      const pending = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: "user_own", status: "pending" }))
      const ownClaims = yield* verifiedClaims(Redacted.value(yield* Sessions.createToken(own.id)))
      expect(ownClaims).not.toHaveProperty("act")
      expect(ownClaims["sts"]).toBe("active")
      expect((yield* verifiedClaims(Redacted.value(yield* Sessions.createToken(pending.id))))["sts"]).toBe("pending")
    }).pipe(withClerk()))

  it.effect("404 resource_not_found for an unknown session", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Sessions.createToken("sess_unknown"))
      expect(error).toMatchObject({ _tag: "ClerkNotFound", status: 404, errors: [{ code: "resource_not_found" }] })
    }).pipe(withClerk()))

  it.effect("400 session_not_active for a revoked session, and for one ended by 10 idle minutes", () =>
    Effect.gen(function*() {
      const session = yield* impersonation
      yield* TestClock.adjust("10 minutes")
      const idle = yield* Effect.flip(Sessions.createToken(session.id))
      expect(idle).toMatchObject({ _tag: "ClerkBadRequest", status: 400, errors: [{ code: "session_not_active" }] })
      expect(idle.message).toContain("expired")
      const revoked = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: "user_1", status: "revoked" }))
      expect(yield* Effect.flip(Sessions.createToken(revoked.id))).toMatchObject({
        _tag: "ClerkBadRequest",
        errors: [{ code: "session_not_active" }]
      })
    }).pipe(withClerk()))

  it.effect("refuses a body the client would not send: 422 for the value or type, 400 for no object", () =>
    Effect.gen(function*() {
      const session = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: "user_1" }))
      const cases = [
        ["{\"expires_in_seconds\":29}", 422, "form_param_value_invalid"],
        ["{\"expires_in_seconds\":315360001}", 422, "form_param_value_invalid"],
        ["{\"expires_in_seconds\":60.5}", 422, "form_param_type_invalid"],
        ["{\"expires_in_seconds\":\"60\"}", 422, "form_param_type_invalid"],
        ["{\"template\":\"x\"}", 422, "form_param_unknown"],
        ["[60]", 400, "request_body_invalid"],
        ["{", 400, "request_body_invalid"]
      ] as const
      for (const [body, status, code] of cases) {
        const answer = yield* mintRaw(session.id, body)
        expect([answer.status, decodeErrors(answer.text).errors[0]?.code], body).toEqual([status, code])
      }
    }).pipe(withClerk()))

  it.effect("meets the Backend API's checks (no key: 401) and its faults, which the client retries", () =>
    Effect.gen(function*() {
      const session = yield* Effect.flatMap(emulator, (e) => e.seedSession({ userId: "user_1" }))
      const noKey = yield* send(HttpClientRequest.post(api(`/sessions/${session.id}/tokens`)))
      expect(noKey.status).toBe(401)
      const e = yield* emulator
      yield* e.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "createSessionToken" })
      yield* e.injectFault(Emulator.Fault.ConnectionReset(), { operation: "createSessionToken" })
      const fiber = yield* Effect.fork(Sessions.createToken(session.id))
      yield* TestClock.adjust("1 minute")
      expect((yield* verifiedClaims(Redacted.value(yield* Fiber.join(fiber))))["sid"]).toBe(session.id)
      expect(yield* e.requestCount("createSessionToken")).toBe(4)
    }).pipe(withClerk()))
})

describe("the key sets", () => {
  it.effect("GET /v1/jwks needs the secret key; Jwks.get reads the emulator's one RSA key", () =>
    Effect.gen(function*() {
      const e = yield* emulator
      const noKey = yield* send(HttpClientRequest.get(api("/jwks")))
      expect([noKey.status, decodeErrors(noKey.text).errors[0]?.code]).toEqual([401, "authentication_invalid"])
      const wrongKey = yield* send(HttpClientRequest.get(api("/jwks")).pipe(HttpClientRequest.bearerToken("sk_test_x")))
      expect(wrongKey.status).toBe(401)
      const set = yield* Jwks.get()
      expect(set).toStrictEqual(yield* e.jwks)
      expect(set.keys).toMatchObject([{ kid: (yield* e.signingKey).kid, alg: "RS256", use: "sig", kty: "RSA" }])
      expect(yield* e.requestCount("getJwks")).toBe(3)
    }).pipe(withClerk()))

  it.effect("GET /.well-known/jwks.json needs no key, and serves the same set", () =>
    Effect.gen(function*() {
      const e = yield* emulator
      const open = yield* send(HttpClientRequest.get(`${Emulator.defaultBaseUrl}/.well-known/jwks.json`))
      expect(open.status).toBe(200)
      expect(JSON.parse(open.text)).toStrictEqual(yield* e.jwks)
      expect(yield* e.requestCount("wellKnownJwks")).toBe(1)
      expect(yield* e.requestCount("getJwks")).toBe(0)
    }).pipe(withClerk()))

  it.effect("a fault on getJwks is retried by the client", () =>
    Effect.gen(function*() {
      const e = yield* emulator
      yield* e.injectFault(Emulator.Fault.HtmlPage({ status: 502 }), { operation: "getJwks" })
      const fiber = yield* Effect.fork(Jwks.get())
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).keys).toHaveLength(1)
      expect(yield* e.requestCount("getJwks")).toBe(2)
    }).pipe(withClerk()))
})
