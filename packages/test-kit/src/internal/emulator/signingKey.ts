/**
 * The emulator's signing key: an RSA-2048 key pair named by a `kid`, what it publishes (a JWK, a PEM), and JWS
 * signing with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), all through `node:crypto`.
 */
import type { Jwks } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import type { SigningKey } from "../../Emulator.js"
import * as InternalRandom from "../random.js"

/** @internal Whether a value is a usable signing key: an RSA private key, its public key, a non-empty `kid`. */
export const isSigningKey = (u: unknown): u is SigningKey => {
  if (typeof u !== "object" || u === null) return false
  const { kid, privateKey, publicKey } = u as Record<string, unknown>
  return typeof kid === "string" && kid !== "" &&
    privateKey instanceof Crypto.KeyObject && privateKey.type === "private" &&
    privateKey.asymmetricKeyType === "rsa" &&
    publicKey instanceof Crypto.KeyObject && publicKey.type === "public" && publicKey.asymmetricKeyType === "rsa"
}

/**
 * @internal A fresh RSA-2048 key pair, generated in one synchronous step: an emulator makes its own on the first
 * request that needs it, and no `TestClock` adjustment (which could fire the client's timeout) can run in between.
 */
export const generateNow: Effect.Effect<SigningKey> = Effect.flatMap(
  InternalRandom.instanceId,
  (kid) => Effect.sync(() => ({ kid, ...Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) }))
)

/** @internal A fresh RSA-2048 key pair, generated off the event loop; its `kid` is random unless given. */
export const generate = (kid?: string): Effect.Effect<SigningKey> =>
  Effect.gen(function*() {
    const id = kid ?? (yield* InternalRandom.instanceId)
    const pair = yield* Effect.async<{ publicKey: Crypto.KeyObject; privateKey: Crypto.KeyObject }>((resume) =>
      Crypto.generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) =>
        resume(error === null ? Effect.succeed({ publicKey, privateKey }) : Effect.die(error)))
    )
    return { kid: id, ...pair }
  })

/** @internal The public key as a JWK, the way Clerk's key sets list it. */
export const jwk = (key: SigningKey): Jwks.Jwk => {
  const { e, n } = key.publicKey.export({ format: "jwk" })
  return { use: "sig", kty: "RSA", kid: key.kid, alg: "RS256", n: n!, e: e! }
}

/** @internal The public key as PEM (SPKI), the form of Clerk's "JWT public key" (`CLERK_JWT_KEY`). */
export const publicKeyPem = (key: SigningKey): string => key.publicKey.export({ type: "spki", format: "pem" }) as string

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")

/** @internal A compact JWS: the header and claims as given, signed RS256 with the private key. */
export const sign = (
  privateKey: Crypto.KeyObject,
  header: object,
  claims: object
): string => {
  const input = `${segment(header)}.${segment(claims)}`
  return `${input}.${Crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`
}
