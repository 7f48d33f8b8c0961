/**
 * Test keys and tokens: RSA keys generated once per test file, tokens signed here with `node:crypto`, and the
 * claims of a valid session token at a fixed instant.
 */
import { type Effect, TestClock } from "effect"
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto"

export interface TestKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly pem: string
  readonly jwk: { readonly kty: string; readonly kid: string; readonly [member: string]: unknown }
}

export const makeKey = (kid: string, modulusLength = 2048): TestKey => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength })
  return {
    kid,
    privateKey,
    publicKey,
    pem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    jwk: { ...publicKey.export({ format: "jwk" }), kty: "RSA", kid, alg: "RS256", use: "sig" }
  }
}

export const base64url = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")

/** The instant the tests run at, in seconds since the epoch. */
export const nowSeconds = 1_800_000_000

/** Sets the `TestClock` to {@link nowSeconds} (plus `offsetMillis`). */
export const atNow = (offsetMillis = 0): Effect.Effect<void> => TestClock.setTime(nowSeconds * 1000 + offsetMillis)

export const issuer = "https://clerk.example.com"
export const origin = "https://app.example.com"
/** A publishable key naming `clerk.example.com`. */
export const publishableKey = `pk_test_${Buffer.from("clerk.example.com$").toString("base64")}`

export const validClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  azp: origin,
  exp: nowSeconds + 60,
  fva: [0, -1],
  iat: nowSeconds,
  iss: issuer,
  jti: "a1b2c3",
  nbf: nowSeconds - 10,
  sid: "sess_2abc",
  sub: "user_2xyz",
  v: 2,
  ...overrides
})

export const sessionHeader = (key: TestKey, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  alg: "RS256",
  typ: "JWT",
  kid: key.kid,
  cat: "cl_B7d4PD111AAA",
  ...overrides
})

/** Signs `header.payload` (each JSON, or a raw string used as is) with RSA-SHA256. */
export const signWith = (privateKey: KeyObject, header: unknown, payload: unknown): string => {
  const input = `${base64url(header)}.${base64url(payload)}`
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), privateKey).toString("base64url")}`
}

/** A valid session token of `key`, with claims and header overrides. */
export const token = (
  key: TestKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {}
): string => signWith(key.privateKey, sessionHeader(key, header), validClaims(claims))
