/**
 * Verifying Clerk session tokens: the `Verifier` service checks one token's signature and claims and answers its
 * {@link SessionClaims.SessionClaims}, or a {@link SessionTokenError} that says why not.
 *
 * @since 0.1.0
 */
import type { SessionClaims } from "@effect-clerk/schema"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * Why a token was refused. Clerk's own reason strings where they exist, so logs read the same as with Clerk's SDKs.
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "token-missing",
  "token-invalid",
  "token-invalid-signature",
  "token-invalid-algorithm",
  "token-expired",
  "token-not-active-yet",
  "token-iat-in-the-future",
  "token-invalid-issuer",
  "token-invalid-authorized-parties",
  "token-type-mismatch",
  "session-pending",
  "jwk-kid-mismatch",
  "jwk-remote-failed-to-load"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A token was refused. It holds no part of the token, the key or the signature: safe to log and to answer with.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionTokenError extends Schema.TaggedError<SessionTokenError>()("SessionTokenError", {
  reason: Reason,
  message: Schema.String
}) {}

/**
 * A {@link layer} option was refused when the layer was built; `option` names it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionTokenConfigError extends Schema.TaggedError<SessionTokenConfigError>()("SessionTokenConfigError", {
  option: Schema.String,
  message: Schema.String
}) {}

/**
 * The service that verifies session tokens, built by {@link layer} with its keys and rules.
 *
 * @since 0.1.0
 * @category services
 */
export class Verifier extends Context.Tag("@effect-clerk/auth/SessionToken/Verifier")<Verifier, Verifier.Service>() {}

/**
 * @since 0.1.0
 * @category services
 */
export declare namespace Verifier {
  /**
   * @since 0.1.0
   * @category services
   */
  export interface Service {
    readonly verify: (
      token: string | Redacted.Redacted<string>
    ) => Effect.Effect<SessionClaims.SessionClaims, SessionTokenError>
  }
}

/**
 * Verifies one session token with the {@link Verifier} in context.
 *
 * @since 0.1.0
 * @category operations
 */
export const verify = (
  token: string | Redacted.Redacted<string>
): Effect.Effect<SessionClaims.SessionClaims, SessionTokenError, Verifier> =>
  Effect.flatMap(Verifier, (verifier) => verifier.verify(token))
