/**
 * The errors of `SessionToken`, in a module of their own that imports nothing of the package: the verifier's internal
 * modules build them, and `SessionToken` (which builds on those modules) names them.
 *
 * @since 0.1.0
 */
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
 * A `SessionToken.layer` option was refused when the layer was built; `option` names it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionTokenConfigError extends Schema.TaggedError<SessionTokenConfigError>()("SessionTokenConfigError", {
  option: Schema.String,
  message: Schema.String
}) {}
