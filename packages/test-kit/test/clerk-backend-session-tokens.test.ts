/**
 * `@clerk/backend`'s own `verifyToken` accepts the emulator's session tokens, on a loopback server and on the real
 * clock (its `Date.now()` checks the times): with `secretKey` + `apiUrl` (the key set fetched from the emulator's
 * `GET /v1/jwks`) and with the emulator's PEM as `jwtKey`; and it reads back as `act` the actor given to the actor
 * token. Tokens the fixtures sign to break a rule are refused for that rule.
 */
import { createClerkClient, verifyToken } from "@clerk/backend"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import * as Fixtures from "@effect-clerk/test-kit/Fixtures"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect } from "effect"

const secretKey = Emulator.defaultSecretKey

/** What `verifyToken` resolves to, or the `reason` of what it threw. */
const verify = (jwt: string, options: Parameters<typeof verifyToken>[1]) =>
  Effect.promise(() =>
    verifyToken(jwt, options).then(
      (payload) => ({ payload, reason: undefined }),
      (error: { readonly reason?: string }) => ({ payload: undefined, reason: error.reason ?? String(error) })
    )
  )

/** A loopback emulator for the test, the session of an impersonation started through @clerk/backend, its actor. */
const impersonation = Effect.gen(function*() {
  const server = yield* EmulatorServer.make({})
  const clerk = createClerkClient({ secretKey, apiUrl: server.url })
  // What @clerk/backend's typed `actor` makes of an extra claim: it nests it, and Clerk keeps what it was sent.
  const actor = { sub: "user_staff", additionalProperties: { reason: "ticket 9", scopes: ["billing"] } }
  const token = yield* Effect.promise(() => clerk.actorTokens.create({ userId: "user_target", actor }))
  expect((yield* Effect.promise(() => fetch(token.url!))).status).toBe(200)
  const [session] = (yield* Effect.promise(() => clerk.sessions.getSessionList({ userId: "user_target" }))).data
  return { server, clerk, actor, sessionId: session!.id }
})

describe("@clerk/backend verifies the emulator's session tokens", () => {
  it.live(
    "with secretKey + apiUrl (JWKS from the emulator) and with jwtKey (its PEM); act = the actor",
    () =>
      Effect.gen(function*() {
        const { actor, clerk, server, sessionId } = yield* impersonation
        // Minted over HTTP by @clerk/backend itself (no body: the default lifetime), and in memory by the helper.
        const { jwt } = yield* Effect.promise(() => clerk.sessions.getToken(sessionId))
        const inMemory = yield* server.emulator.sessionToken(sessionId, { expiresInSeconds: 300 })
        const pem = yield* server.emulator.publicKeyPem
        for (const token of [jwt, inMemory]) {
          for (const options of [{ secretKey, apiUrl: server.url, skipJwksCache: true }, { jwtKey: pem }]) {
            const { payload, reason } = yield* verify(token, options)
            expect(reason).toBeUndefined()
            expect(payload).toMatchObject({ sub: "user_target", sid: sessionId, iss: server.url, v: 2, sts: "active" })
            expect(payload?.act).toStrictEqual(actor)
          }
        }
        expect(yield* server.emulator.requestCount("getJwks")).toBe(2)
        expect(yield* server.emulator.requestCount("createSessionToken")).toBe(1)
      }).pipe(Effect.scoped, Effect.orDie),
    30_000
  )

  it.live(
    "refuses what the fixtures sign to break a rule: another key, another kid, expired, not yet valid",
    () =>
      Effect.gen(function*() {
        const { server, sessionId } = yield* impersonation
        const key = yield* server.emulator.signingKey
        const stranger = yield* Emulator.generateSigningKey({ kid: key.kid })
        const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const claims = {
          sub: "user_target",
          sid: sessionId,
          iss: server.url,
          iat: now,
          nbf: now - 10,
          exp: now + 60,
          v: 2
        }
        const remote = { secretKey, apiUrl: server.url, skipJwksCache: true }
        const jwtKey = { jwtKey: yield* server.emulator.publicKeyPem }
        const cases = [
          ["the emulator's own, pending", Fixtures.signSessionToken({ ...claims, sts: "pending" }, { key }), undefined],
          ["another key", Fixtures.signSessionToken(claims, { key: stranger }), "token-invalid-signature"],
          ["expired", Fixtures.signSessionToken({ ...claims, exp: now - 60 }, { key }), "token-expired"],
          ["not yet valid", Fixtures.signSessionToken({ ...claims, nbf: now + 60 }, { key }), "token-not-active-yet"]
        ] as const
        for (const [name, token, reason] of cases) {
          expect((yield* verify(token, remote)).reason, name).toBe(reason)
          expect((yield* verify(token, jwtKey)).reason, name).toBe(reason)
        }
        const otherKid = Fixtures.signSessionToken(claims, { key, kid: "ins_other" })
        expect((yield* verify(otherKid, remote)).reason).toBe("jwk-kid-mismatch")
      }).pipe(Effect.scoped, Effect.orDie),
    30_000
  )
})
