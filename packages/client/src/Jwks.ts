/**
 * The instance's JSON Web Key Set: the public keys that verify its session tokens, read from the Backend API with
 * the secret key (`GET /v1/jwks`). An accessor of the `ClerkClient` in context: `Jwks.get()` runs
 * `clerkClient.jwks.get()`.
 *
 * @since 0.1.0
 */
import type { Jwks } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import { ClerkClient } from "./ClerkClient.js"
import type { ClerkError } from "./ClerkError.js"

/**
 * The key set, every key kept as served (`kid`, `alg`, `use`, `kty`, and `n`, `e` for an RSA key). Retried like
 * every read.
 *
 * @example
 * ```ts
 * import { Jwks } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const kids = Jwks.get().pipe(Effect.map((set) => set.keys.map((key) => key.kid)))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (): Effect.Effect<Jwks.Jwks, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.jwks.get())
