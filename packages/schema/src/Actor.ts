/**
 * The actor — who impersonates — as sent when creating a token, and the `act` claim it becomes in the impersonated
 * session's JWT.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { JsonValue } from "./Json.js"

/**
 * The `actor` of a create request: `sub` is the id of the impersonating user, and any other keys are extra claims.
 * The object is sent verbatim: extra keys sit beside `sub`, and the whole object becomes the `act` claim of the
 * impersonated session.
 *
 * @example
 * ```ts
 * import { Actor } from "@effect-clerk/schema"
 *
 * const actor: Actor.Actor = { sub: "user_support_42", reason: "ticket #1234" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Actor = Schema.Struct(
  { sub: Schema.NonEmptyString.annotations({ description: "The id of the impersonating user" }) },
  Schema.Record({ key: Schema.String, value: JsonValue })
).annotations({ identifier: "Actor" })

/**
 * @since 0.1.0
 * @category models
 */
export type Actor = typeof Actor.Type

/**
 * The `act` claim of an impersonated session's JWT: `sub` is the impersonator; `iss` (where the impersonation
 * started) and `sid` are set by Clerk; every other key given in the actor at creation is kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActClaim = Schema.Struct(
  {
    sub: Schema.NonEmptyString,
    iss: Schema.optionalWith(Schema.String, { exact: true }),
    sid: Schema.optionalWith(Schema.String, { exact: true })
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "ActClaim" })

/**
 * @since 0.1.0
 * @category models
 */
export type ActClaim = typeof ActClaim.Type

const SessionClaims = Schema.Struct({ act: Schema.optionalWith(ActClaim, { exact: true }) })
const decodeSessionClaims = Schema.decodeUnknown(SessionClaims)
const decodeSessionClaimsOption = Schema.decodeUnknownOption(SessionClaims)

/**
 * Reads the `act` claim from the claims of an already verified session token. `None` means the session is not an
 * impersonation; a present but malformed `act` fails with a `ParseError`.
 *
 * It does not verify anything: pass it the payload your JWT verification returned.
 *
 * @example
 * ```ts
 * import { Actor } from "@effect-clerk/schema"
 * import { Effect, Option } from "effect"
 *
 * const whoIsImpersonating = (claims: unknown) =>
 *   Actor.decodeActClaim(claims).pipe(Effect.map(Option.map((act) => act.sub)))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeActClaim = (claims: unknown): Effect.Effect<Option.Option<ActClaim>, ParseResult.ParseError> =>
  decodeSessionClaims(claims).pipe(Effect.map((decoded) => Option.fromNullable(decoded.act)))

/**
 * Like {@link decodeActClaim}, synchronously: `None` when there is no `act` claim or it is malformed.
 *
 * @since 0.1.0
 * @category decoding
 */
export const getActClaim = (claims: unknown): Option.Option<ActClaim> =>
  decodeSessionClaimsOption(claims).pipe(Option.flatMap((decoded) => Option.fromNullable(decoded.act)))
