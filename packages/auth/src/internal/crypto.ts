import * as Effect from "effect/Effect"
import * as Jose from "jose"
import type * as NodeCrypto from "node:crypto"

/**
 * The parts of a compact JWS the signature check needs: the base64url segments as they were signed, and the
 * signature decoded.
 */
export interface SignedParts {
  readonly header: string
  readonly payload: string
  /** `header.payload`, as signed. */
  readonly signingInput: string
  readonly signature: Uint8Array
}

/**
 * What checks RS256 signatures: `node:crypto` where it loads (synchronous, one native call), jose on WebCrypto
 * elsewhere. A key is whatever the engine imported (a `KeyObject` or a `CryptoKey`), opaque to the verifier.
 */
export interface Engine {
  readonly name: "node:crypto" | "jose"
  /** Imports an SPKI PEM public key; fails when it is not an RSA public key. */
  readonly importPem: (pem: string) => Effect.Effect<unknown, unknown>
  /** Imports a public JWK; fails when it is not an RSA key usable for RS256. */
  readonly importJwk: (jwk: Jose.JWK) => Effect.Effect<unknown, unknown>
  /** True when the signature is the key's over `header.payload`; never throws. */
  readonly verify: (key: unknown, parts: SignedParts) => boolean | Promise<boolean>
  /** Decodes base64url that the caller already checked holds only base64url characters. */
  readonly decode: (segment: string) => Uint8Array
  readonly decodeText: (segment: string) => string
}

const textDecoder = new TextDecoder()

/** The jose engine: WebCrypto's RSASSA-PKCS1-v1_5 through jose's flattened JWS verification. */
export const jose: Engine = {
  name: "jose",
  importPem: (pem) => Effect.tryPromise(() => Jose.importSPKI(pem, "RS256")),
  importJwk: (jwk) =>
    jwk.kty === "RSA"
      ? Effect.tryPromise(() => Jose.importJWK({ ...jwk, alg: "RS256", ext: true }, "RS256"))
      : Effect.fail("not an RSA key"),
  verify: (key, parts) =>
    Jose.flattenedVerify(
      { protected: parts.header, payload: parts.payload, signature: Jose.base64url.encode(parts.signature) },
      key as Jose.CryptoKey,
      { algorithms: ["RS256"] }
    ).then(() => true, () => false),
  decode: (segment) => Jose.base64url.decode(segment),
  decodeText: (segment) => textDecoder.decode(Jose.base64url.decode(segment))
}

const nodeEngine = (crypto: typeof NodeCrypto): Engine => {
  const rsa = (key: NodeCrypto.KeyObject): Effect.Effect<unknown, unknown> =>
    key.type === "public" && key.asymmetricKeyType === "rsa" ? Effect.succeed(key) : Effect.fail("not an RSA key")
  return {
    name: "node:crypto",
    importPem: (pem) => Effect.flatMap(Effect.try(() => crypto.createPublicKey({ key: pem, format: "pem" })), rsa),
    importJwk: (jwk) =>
      jwk.kty === "RSA"
        ? Effect.flatMap(
          Effect.try(() =>
            crypto.createPublicKey({
              key: { kty: "RSA", n: jwk.n, e: jwk.e } as NodeCrypto.JsonWebKey,
              format: "jwk"
            })
          ),
          rsa
        )
        : Effect.fail("not an RSA key"),
    verify: (key, parts) => {
      try {
        return crypto.verify(
          "RSA-SHA256",
          Buffer.from(parts.signingInput, "latin1"),
          key as NodeCrypto.KeyObject,
          parts.signature
        )
      } catch {
        return false
      }
    },
    decode: (segment) => Buffer.from(segment, "base64url"),
    decodeText: (segment) => Buffer.from(segment, "base64url").toString("utf8")
  }
}

const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string"

/**
 * The `node:crypto` engine, loaded once at layer build; `undefined` where `node:crypto` does not load (edge runtimes),
 * so the package itself never depends on it statically.
 */
export const loadNode: Effect.Effect<Engine | undefined> = Effect.suspend(() =>
  isNode()
    ? Effect.tryPromise(() => import("node:crypto")).pipe(
      Effect.map(nodeEngine),
      Effect.orElseSucceed(() => undefined)
    )
    : Effect.succeed(undefined)
)
