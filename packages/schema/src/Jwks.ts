/**
 * JSON Web Key Sets: the public keys that verify an instance's session tokens, as `GET /v1/jwks` (Backend API, with
 * the secret key) and `/.well-known/jwks.json` (Frontend API, no key) serve them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const optional = Schema.optionalWith(Schema.String, { exact: true })

/**
 * One key of a set. `kid`, `alg`, `use` and `kty` are always there (Clerk's session tokens name their key by `kid`);
 * `n` and `e` are an RSA key's modulus and exponent (base64url). Every other field (`crv`, `x`, `x5c`, …) is kept as
 * it came, so the key can be handed whole to a JWK importer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Jwk = Schema.Struct(
  {
    kid: Schema.String,
    alg: Schema.String,
    use: Schema.String,
    kty: Schema.String,
    n: optional,
    e: optional
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "Jwk" })

/**
 * @since 0.1.0
 * @category models
 */
export type Jwk = typeof Jwk.Type

/**
 * A key set, `{ "keys": [...] }`: every key kept, whatever its type, in the order served.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Jwks = Schema.Struct({ keys: Schema.Array(Jwk) }).annotations({ identifier: "Jwks" })

/**
 * @since 0.1.0
 * @category models
 */
export type Jwks = typeof Jwks.Type
