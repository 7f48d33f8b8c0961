/**
 * HMAC-SHA256 over a delivery's signed content with every signing secret: `node:crypto` where the runtime has it
 * (synchronous, a few microseconds per delivery), WebCrypto everywhere else.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The imported signing secrets. */
export interface Keyring {
  /** Whether one of the candidate signatures is the HMAC of `prefix` + `body` with one of the secrets. */
  readonly matches: (
    prefix: string,
    body: string | Uint8Array,
    candidates: ReadonlyArray<Uint8Array>
  ) => Effect.Effect<boolean>
  /** {@link matches} without a fiber step, where the runtime computes HMACs synchronously. */
  readonly matchesSync?: (
    prefix: string,
    body: string | Uint8Array,
    candidates: ReadonlyArray<Uint8Array>
  ) => boolean
  /** The HMAC of `prefix` + `body` with the first secret. */
  readonly sign: (prefix: string, body: string | Uint8Array) => Effect.Effect<Uint8Array>
}

/** The part of `node:crypto` this module uses, declared here so that nothing else of Node's types leaks out. */
interface NodeCrypto {
  readonly createHmac: (algorithm: "sha256", key: NodeSecretKey) => NodeHmac
  readonly createSecretKey: (key: Uint8Array) => NodeSecretKey
  readonly timingSafeEqual: (a: Uint8Array, b: Uint8Array) => boolean
}

/** A `KeyObject`: imported once, it spares every HMAC the key's import (on Node 24, most of an HMAC's cost). */
interface NodeSecretKey {
  readonly type: "secret"
}

interface NodeHmac {
  update(data: string | Uint8Array): NodeHmac
  digest(): Uint8Array
}

const loadNodeCrypto = (): Option.Option<NodeCrypto> => {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const module = process?.getBuiltinModule?.("node:crypto") as Partial<NodeCrypto> | undefined
    return typeof module?.createHmac === "function" && typeof module.createSecretKey === "function" &&
        typeof module.timingSafeEqual === "function"
      ? Option.some(module as NodeCrypto)
      : Option.none()
  } catch {
    return Option.none()
  }
}

let nodeCrypto: Option.Option<NodeCrypto> | undefined

const nodeKeyring = (crypto: NodeCrypto, secrets: ReadonlyArray<Uint8Array>): Keyring => {
  const keys = secrets.map((secret) => crypto.createSecretKey(secret))
  // A string body is hashed as UTF-8 without being copied into bytes first.
  const hmac = (key: NodeSecretKey, prefix: string, body: string | Uint8Array): Uint8Array =>
    crypto.createHmac("sha256", key).update(prefix).update(body).digest()
  const matchesSync = (prefix: string, body: string | Uint8Array, candidates: ReadonlyArray<Uint8Array>): boolean => {
    for (const secret of keys) {
      const expected = hmac(secret, prefix, body)
      for (const candidate of candidates) {
        // `timingSafeEqual` throws on a length mismatch; the length of a signature is no secret.
        if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) return true
      }
    }
    return false
  }
  return {
    matches: (prefix, body, candidates) => Effect.sync(() => matchesSync(prefix, body, candidates)),
    matchesSync,
    sign: (prefix, body) => Effect.sync(() => hmac(keys[0]!, prefix, body))
  }
}

const encoder = new TextEncoder()

const webCryptoKeyring = (keys: ReadonlyArray<CryptoKey>): Keyring => {
  const content = (prefix: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> => {
    if (typeof body === "string") return encoder.encode(prefix + body)
    const head = encoder.encode(prefix)
    const bytes = new Uint8Array(head.length + body.length)
    bytes.set(head)
    bytes.set(body, head.length)
    return bytes
  }
  return {
    matches: (prefix, body, candidates) =>
      Effect.tryPromise(async () => {
        const data = content(prefix, body)
        // `verify` compares in constant time.
        const results = await Promise.all(
          keys.flatMap((key) =>
            candidates.map((candidate) => crypto.subtle.verify("HMAC", key, Uint8Array.from(candidate), data))
          )
        )
        return results.includes(true)
      }).pipe(Effect.orElseSucceed(() => false)),
    sign: (prefix, body) =>
      Effect.promise(() => crypto.subtle.sign("HMAC", keys[0]!, content(prefix, body))).pipe(
        Effect.map((signature) => new Uint8Array(signature))
      )
  }
}

/**
 * Imports the secrets (at least one, each non-empty). Fails only if the runtime refuses a key, which it does not for
 * non-empty bytes.
 */
export const makeKeyring = (
  secrets: ReadonlyArray<Uint8Array>,
  options?: { readonly webCrypto?: boolean }
): Effect.Effect<Keyring, unknown> => {
  nodeCrypto ??= loadNodeCrypto()
  if (options?.webCrypto !== true && Option.isSome(nodeCrypto)) {
    const node = nodeCrypto.value
    return Effect.try(() => nodeKeyring(node, secrets))
  }
  return Effect.tryPromise(() =>
    Promise.all(
      secrets.map((secret) =>
        crypto.subtle.importKey("raw", Uint8Array.from(secret), { name: "HMAC", hash: "SHA-256" }, false, [
          "sign",
          "verify"
        ])
      )
    )
  ).pipe(Effect.map(webCryptoKeyring))
}
