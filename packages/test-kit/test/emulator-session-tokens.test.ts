// Session tokens without HTTP: the claims the emulator mints (pure, over a session and `now`), the signing key and
// what it publishes, the emulator's in-memory helper and the fixture signer.
import { Ids, Session } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as Fixtures from "@effect-clerk/test-kit/Fixtures"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import * as Crypto from "node:crypto"
import type * as Sessions from "../src/internal/emulator/sessions.js"
import * as SessionTokens from "../src/internal/emulator/sessionTokens.js"
import * as SigningKey from "../src/internal/emulator/signingKey.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const may12Seconds = may12 / 1000
const actor = { sub: "user_support", iss: "https://dashboard.clerk.com", reason: "ticket 7", nested: { level: [1, 2] } }

const session = (fields: Partial<ConstructorParameters<typeof Session.Session>[0]> = {}) =>
  new Session.Session({
    id: Ids.SessionId.make("sess_1"),
    userId: Ids.UserId.make("user_target"),
    clientId: Ids.ClientId.make("client_1"),
    actor,
    status: "active",
    lastActiveAt: may12,
    expireAt: may12 + 30 * 60_000,
    abandonAt: may12 + 30 * 86_400_000,
    updatedAt: may12,
    createdAt: may12,
    ...fields
  })

const input = { issuer: "https://clerk-emulator.test", expiresInSeconds: 60 }

/** The header and claims of a compact JWS, and whether its signature verifies with `publicKey`. */
const open = (jwt: string, publicKey: Crypto.KeyObject) => {
  const [header, claims, signature] = jwt.split(".")
  return {
    header: JSON.parse(Buffer.from(header!, "base64url").toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, "base64url").toString()) as Record<string, unknown>,
    verified: Crypto.verify(
      "sha256",
      Buffer.from(`${header}.${claims}`),
      publicKey,
      Buffer.from(signature!, "base64url")
    )
  }
}

// One key for the whole file: generating one takes a noticeable fraction of a second.
const sharedKey = Effect.runSync(Effect.cached(SigningKey.generate("ins_test_key")))

describe("claims", () => {
  it("are exactly sub, sid, iss, iat, nbf = iat − 10, exp = iat + lifetime, v 2, sts and act", () => {
    expect(SessionTokens.claims(session(), may12 + 999, input)).toStrictEqual({
      sub: "user_target",
      sid: "sess_1",
      iss: "https://clerk-emulator.test",
      iat: may12Seconds,
      nbf: may12Seconds - 10,
      exp: may12Seconds + 60,
      v: 2,
      sts: "active",
      act: actor
    })
  })

  it("keep the actor verbatim, every key and nesting, extra keys included", () => {
    const odd = { sub: "user_agent", type: "agent", "x-y": null, list: [{ a: "b" }], n: 1.5 }
    expect(SessionTokens.claims(session({ actor: odd }), may12, input).act).toStrictEqual(odd)
  })

  it("have no act for a session the user started, and sts pending for a pending one", () => {
    const own = SessionTokens.claims(session({ actor: null, status: "pending" }), may12, input)
    expect(own).not.toHaveProperty("act")
    expect(own.sts).toBe("pending")
  })

  it("honour the lifetime, up to ten years", () => {
    const long = SessionTokens.claims(session(), may12, { ...input, expiresInSeconds: 315_360_000 })
    expect(long.exp - long.iat).toBe(315_360_000)
  })

  it("the header is RS256, JWT, the kid and Clerk's session-token category", () => {
    expect(SessionTokens.header("ins_1")).toStrictEqual({
      alg: "RS256",
      typ: "JWT",
      kid: "ins_1",
      cat: "cl_B7d4PD111AAA"
    })
  })
})

describe("mint", () => {
  it("mints for a live session at now, and refuses an unknown or ended one", () => {
    const sessions: Sessions.Sessions = [
      session(),
      session({ id: Ids.SessionId.make("sess_pending"), status: "pending" }),
      session({ id: Ids.SessionId.make("sess_revoked"), status: "revoked" })
    ]
    const pending = SessionTokens.mint(sessions, may12, "sess_pending", input)
    assert(Either.isRight(pending))
    expect(pending.right.sts).toBe("pending")
    expect(Either.isRight(SessionTokens.mint(sessions, may12, "sess_1", input))).toBe(true)
    assert.deepStrictEqual(
      SessionTokens.mint(sessions, may12, "sess_unknown", input),
      Either.left({ _tag: "NotFound" })
    )
    assert.deepStrictEqual(
      SessionTokens.mint(sessions, may12, "sess_revoked", input),
      Either.left({ _tag: "NotActive", status: "revoked" })
    )
  })

  it("refuses a session the time rules have ended: 10 idle minutes of an impersonation", () => {
    assert.deepStrictEqual(
      SessionTokens.mint([session()], may12 + 10 * 60_000, "sess_1", input),
      Either.left({ _tag: "NotActive", status: "expired" })
    )
  })
})

describe("the signing key", () => {
  it.effect("signs RS256 tokens its public key verifies, and no other key does", () =>
    Effect.gen(function*() {
      const key = yield* sharedKey
      const other = yield* SigningKey.generate()
      const jwt = SigningKey.sign(key.privateKey, SessionTokens.header(key.kid), { sub: "user_1" })
      expect(open(jwt, key.publicKey)).toMatchObject({ claims: { sub: "user_1" }, verified: true })
      expect(open(jwt, other.publicKey).verified).toBe(false)
      expect(other.kid).toMatch(/^ins_[A-Za-z0-9]{27}$/)
    }))

  it.effect("publishes the same public key as a JWK and as PEM", () =>
    Effect.gen(function*() {
      const key = yield* sharedKey
      const jwk = SigningKey.jwk(key)
      expect(jwk).toMatchObject({ kid: "ins_test_key", alg: "RS256", use: "sig", kty: "RSA", e: "AQAB" })
      const fromJwk = Crypto.createPublicKey({ key: { kty: "RSA", n: jwk.n!, e: jwk.e! }, format: "jwk" })
      const fromPem = Crypto.createPublicKey(SigningKey.publicKeyPem(key))
      expect(fromJwk.equals(key.publicKey)).toBe(true)
      expect(fromPem.equals(key.publicKey)).toBe(true)
      expect(SigningKey.publicKeyPem(key)).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
      expect(key.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    }))
})

describe("Emulator: the signing key, the key set and sessionToken", () => {
  it.scoped("one key for the emulator's life: the same kid before and after reset", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const first = yield* emulator.jwks
      yield* emulator.reset
      expect(yield* emulator.jwks).toStrictEqual(first)
      expect(first.keys).toHaveLength(1)
      expect(first.keys[0]?.kid).toBe((yield* emulator.signingKey).kid)
    }))

  it.scoped("a key given in the options is the one used, and refused when it is not a key pair", () =>
    Effect.gen(function*() {
      const key = yield* sharedKey
      const emulator = yield* Emulator.make({ signingKey: key })
      expect(yield* emulator.signingKey).toBe(key)
      expect(yield* emulator.publicKeyPem).toBe(SigningKey.publicKeyPem(key))
      const refused = yield* Effect.flip(Emulator.make({ signingKey: { ...key, privateKey: key.publicKey } }))
      expect(refused).toMatchObject({ _tag: "EmulatorConfigError", option: "signingKey" })
    }))

  it.scoped("sessionToken signs the claims of the session at the Clock's now, with the lifetime asked", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const key = yield* sharedKey
      const emulator = yield* Emulator.make({ signingKey: key })
      const seeded = yield* emulator.seedSession({ userId: "user_target", actor })
      yield* TestClock.adjust("90 seconds")
      const jwt = yield* emulator.sessionToken(seeded.id, { expiresInSeconds: 600 })
      const opened = open(jwt, key.publicKey)
      expect(opened.verified).toBe(true)
      expect(opened.header).toStrictEqual({ alg: "RS256", typ: "JWT", kid: key.kid, cat: "cl_B7d4PD111AAA" })
      expect(opened.claims).toStrictEqual({
        sub: "user_target",
        sid: seeded.id,
        iss: Emulator.defaultBaseUrl,
        iat: may12Seconds + 90,
        nbf: may12Seconds + 80,
        exp: may12Seconds + 690,
        v: 2,
        sts: "active",
        act: actor
      })
      expect(open(yield* emulator.sessionToken(seeded.id), key.publicKey).claims["exp"]).toBe(may12Seconds + 150)
    }))

  it.scoped("sessionToken refuses an unknown or revoked session and a lifetime outside 30..315360000", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ signingKey: yield* sharedKey })
      const revoked = yield* emulator.seedSession({ userId: "user_target", status: "revoked" })
      const live = yield* emulator.seedSession({ userId: "user_target" })
      expect(yield* Effect.flip(emulator.sessionToken("sess_unknown"))).toMatchObject({ reason: "NotFound" })
      expect(yield* Effect.flip(emulator.sessionToken(revoked.id))).toMatchObject({ reason: "NotActive" })
      for (const expiresInSeconds of [29, 315_360_001, 60.5]) {
        expect(yield* Effect.flip(emulator.sessionToken(live.id, { expiresInSeconds }))).toMatchObject({
          reason: "InvalidParams"
        })
      }
    }))
})

describe("Fixtures.signSessionToken", () => {
  it.effect("signs any claims, under another kid or header fields, with the key given", () =>
    Effect.gen(function*() {
      const key = yield* sharedKey
      const claims = { sub: "user_1", sts: "pending", exp: 1, act: { sub: "user_2", extra: [1] } }
      const plain = open(Fixtures.signSessionToken(claims, { key }), key.publicKey)
      expect(plain).toMatchObject({ verified: true, claims })
      expect(plain.header).toStrictEqual({ alg: "RS256", typ: "JWT", kid: key.kid, cat: "cl_B7d4PD111AAA" })
      const other = open(
        Fixtures.signSessionToken(claims, { key, kid: "ins_other", header: { cat: "cl_B7d4PD333AAA" } }),
        key.publicKey
      )
      expect(other.header).toMatchObject({ kid: "ins_other", cat: "cl_B7d4PD333AAA" })
      expect(other.verified).toBe(true)
    }))
})
