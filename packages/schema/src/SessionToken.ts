/**
 * Session tokens: the short-lived JWT a signed-in request carries, as the Backend API mints it for a session
 * (`POST /v1/sessions/{session_id}/tokens`), and the parameters of that request.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Credential } from "./ActorToken.js"

/**
 * The shortest lifetime a minted session token may be given, in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const minExpiresInSeconds = 30

/**
 * The longest lifetime a minted session token may be given, in seconds (ten years).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExpiresInSeconds = 315_360_000

/**
 * The lifetime of a session token when none is asked for, in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultExpiresInSeconds = 60

/**
 * A session token's lifetime: a whole number of seconds from {@link minExpiresInSeconds} to
 * {@link maxExpiresInSeconds}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExpiresInSeconds = Schema.Int.pipe(
  Schema.between(minExpiresInSeconds, maxExpiresInSeconds, {
    message: () => `must be a whole number of seconds from ${minExpiresInSeconds} to ${maxExpiresInSeconds}`
  })
).annotations({ identifier: "ExpiresInSeconds" })

/**
 * The parameters of "create session token". `expiresInSeconds` is left out of the body when it is not given, so
 * Clerk's default lifetime (60 s) applies; a `null` on the wire means the same.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateSessionTokenParams = Schema.Struct({
  expiresInSeconds: Schema.optionalWith(ExpiresInSeconds, { exact: true, nullable: true }).pipe(
    Schema.fromKey("expires_in_seconds")
  )
}).annotations({ identifier: "CreateSessionTokenParams" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateSessionTokenParams = typeof CreateSessionTokenParams.Type

/**
 * The wire JSON body of "create session token".
 *
 * @since 0.1.0
 * @category models
 */
export type CreateSessionTokenBody = typeof CreateSessionTokenParams.Encoded

/**
 * A session token as the Backend API answers it, `{ "object": "token", "jwt": "…" }`. The `jwt` is a credential
 * (whoever holds it is signed in as the session's user until it expires): it decodes to a `Redacted`, which prints as
 * `<redacted>`. Unknown fields in a response are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionToken extends Schema.Class<SessionToken>("SessionToken")({
  object: Schema.optionalWith(Schema.Literal("token"), { default: () => "token" as const }),
  jwt: Credential
}) {}

/**
 * The wire JSON of a {@link SessionToken}.
 *
 * @since 0.1.0
 * @category models
 */
export type SessionTokenJson = typeof SessionToken.Encoded
