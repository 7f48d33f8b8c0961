/**
 * Actor tokens: the token Clerk returns, and the parameters to create one.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Actor } from "./Actor.js"
import { ActorTokenId, UserId } from "./Ids.js"
import { JsonObject } from "./Json.js"

/**
 * `pending` until the token is used to sign in (`accepted`) or revoked (`revoked`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActorTokenStatus = Schema.Literal("pending", "accepted", "revoked").annotations({
  identifier: "ActorTokenStatus"
})

/**
 * @since 0.1.0
 * @category models
 */
export type ActorTokenStatus = typeof ActorTokenStatus.Type

/**
 * A credential: whoever holds it can sign in as the user. It decodes to a `Redacted`, which prints as
 * `<redacted>` in logs, errors and `JSON.stringify`; read it with `Redacted.value` only where it is handed on.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Credential = Schema.Redacted(Schema.String)

const credentialField = Schema.optionalWith(Schema.NullOr(Credential), { exact: true })

/**
 * An actor token as Clerk returns it. The encoded side is Clerk's wire JSON (`user_id`, `created_at`, …); the type
 * side is camelCase.
 *
 * - `actor` is kept whole, every key, and may be `null` or `{}` (Clerk declares no properties for it).
 * - `token` and `url` are credentials: they decode to `Redacted` values and may be absent or `null` (the revoke
 *   response may leave them out).
 * - `createdAt` and `updatedAt` are integers kept exactly as Clerk sends them (Unix timestamps; Clerk does not
 *   document the unit).
 * - Unknown fields in a response are ignored, so a new field on Clerk's side never breaks decoding.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ActorToken extends Schema.Class<ActorToken>("ActorToken")({
  object: Schema.optionalWith(Schema.Literal("actor_token"), { default: () => "actor_token" as const }),
  id: ActorTokenId,
  status: ActorTokenStatus,
  userId: Schema.propertySignature(UserId).pipe(Schema.fromKey("user_id")),
  actor: Schema.NullOr(JsonObject),
  token: credentialField,
  url: credentialField,
  createdAt: Schema.propertySignature(Schema.Int).pipe(Schema.fromKey("created_at")),
  updatedAt: Schema.propertySignature(Schema.Int).pipe(Schema.fromKey("updated_at"))
}) {}

/**
 * The wire JSON of an {@link ActorToken}.
 *
 * @since 0.1.0
 * @category models
 */
export type ActorTokenJson = typeof ActorToken.Encoded

/**
 * A positive safe integer number of seconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PositiveSeconds = Schema.Int.pipe(
  Schema.positive({ message: () => "must be a positive whole number of seconds" })
).annotations({ identifier: "PositiveSeconds" })

/**
 * The parameters of "create actor token".
 *
 * `expiresInSeconds` (Clerk's default 3600) and `sessionMaxDurationInSeconds` (Clerk's default 1800) are left out of
 * the request when they are not given, so Clerk's defaults apply.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateActorTokenParams = Schema.Struct({
  userId: Schema.propertySignature(UserId).pipe(Schema.fromKey("user_id")),
  actor: Actor,
  expiresInSeconds: Schema.optionalWith(PositiveSeconds, { exact: true }).pipe(Schema.fromKey("expires_in_seconds")),
  sessionMaxDurationInSeconds: Schema.optionalWith(PositiveSeconds, { exact: true }).pipe(
    Schema.fromKey("session_max_duration_in_seconds")
  )
}).annotations({ identifier: "CreateActorTokenParams" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateActorTokenParams = typeof CreateActorTokenParams.Type

/**
 * The wire JSON body of "create actor token".
 *
 * @since 0.1.0
 * @category models
 */
export type CreateActorTokenBody = typeof CreateActorTokenParams.Encoded
