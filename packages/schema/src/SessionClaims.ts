/**
 * The verified payload of a Clerk session token, and what it says about impersonation: the `act` claim is there
 * exactly when someone (a support agent, or an AI agent) acts for the user.
 *
 * This module decodes claims; it verifies nothing. `@effect-clerk/auth`'s `SessionToken.verify` checks the signature
 * and the times, then decodes the payload with {@link SessionClaims}.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ActClaim } from "./Actor.js"

/**
 * The session's status as the token states it (`sts`): `pending` is a user signed in with tasks left (e.g. choosing
 * an organization). Tokens without `sts` (v1) are `active`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionClaimStatus = Schema.Literal("active", "pending").annotations({ identifier: "SessionClaimStatus" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionClaimStatus = typeof SessionClaimStatus.Type

// Bounded to the range a `Date` holds (±8.64e15 ms), so every decoded time is a valid `DateTime`.
const NumericDate = Schema.Number.pipe(Schema.finite(), Schema.between(-8.64e12, 8.64e12)).annotations({
  description: "seconds since the epoch"
})

const organizationFields = { id: Schema.String }

/**
 * The payload of a session token as signed: Clerk's claim names, the ones this package reads checked, every other
 * key kept. Both the v2 format (`v: 2`, organization in `o`) and the older v1 (`org_id`) decode.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Payload = Schema.Struct(
  {
    sub: Schema.NonEmptyString,
    sid: Schema.NonEmptyString,
    iat: NumericDate,
    exp: NumericDate,
    nbf: Schema.optionalWith(NumericDate, { exact: true }),
    iss: Schema.optionalWith(Schema.String, { exact: true }),
    azp: Schema.optionalWith(Schema.String, { exact: true }),
    sts: Schema.optionalWith(SessionClaimStatus, { exact: true }),
    act: Schema.optionalWith(ActClaim, { exact: true }),
    o: Schema.optionalWith(
      Schema.Struct(organizationFields, Schema.Record({ key: Schema.String, value: Schema.Unknown })),
      { exact: true }
    ),
    org_id: Schema.optionalWith(Schema.String, { exact: true })
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "SessionTokenPayload" })

/**
 * @since 0.1.0
 * @category models
 */
export type Payload = typeof Payload.Type

/**
 * What a verified session token says: who is signed in (`userId`, from `sub`), in which session (`sessionId`, from
 * `sid`), who acts for them (`actor`, the `act` claim with every key kept; `None` when nobody does), the active
 * organization, the status, the token's times, and the whole payload as `claims`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionClaims {
  readonly userId: string
  readonly sessionId: string
  readonly actor: Option.Option<ActClaim>
  readonly orgId: Option.Option<string>
  readonly status: SessionClaimStatus
  readonly issuedAt: DateTime.Utc
  readonly expiresAt: DateTime.Utc
  readonly claims: Payload
}

// The decoded side is built here from a payload `Payload` just checked: a declaration checks its shape without
// walking the payload a second time (verification decodes one payload per request).
const Decoded = Schema.declare(
  (u: unknown): u is SessionClaims =>
    typeof u === "object" && u !== null && "userId" in u && "sessionId" in u && "claims" in u &&
    typeof u.userId === "string" && typeof u.sessionId === "string" && typeof u.claims === "object" &&
    u.claims !== null,
  { identifier: "SessionClaimsDecoded" }
)

// The claims read, without the index signatures: every other key is Unknown, so a payload passing these checks is a
// `Payload` as it stands, kept as sent instead of being copied key by key. Anything else is decoded again for the
// error, which names the claim.
const PayloadRead = Schema.Struct({
  ...Payload.fields,
  act: Schema.optionalWith(Schema.Struct(ActClaim.fields), { exact: true }),
  o: Schema.optionalWith(Schema.Struct(organizationFields), { exact: true })
})

const validatePayloadRead = ParseResult.validateEither(PayloadRead)

const PayloadAsSent: Schema.Schema<Payload, Schema.Schema.Encoded<typeof Payload>> = Schema.declare([], {
  decode: () => (input, options) =>
    typeof input === "object" && input !== null && !Array.isArray(input) && Either.isRight(validatePayloadRead(input))
      ? ParseResult.succeed(input as Payload)
      : ParseResult.decodeUnknown(Payload)(input, options),
  encode: () => (input, options) => ParseResult.encodeUnknown(Payload)(input, options)
}, { identifier: "SessionTokenPayload" })

const fromSeconds = (seconds: number): DateTime.Utc => DateTime.unsafeMake(seconds * 1000)

/**
 * Decodes a session token's payload into {@link SessionClaims}; encodes back to the payload as it was (`claims`).
 *
 * @example
 * ```ts
 * import { SessionClaims } from "@effect-clerk/schema"
 * import { Schema } from "effect"
 *
 * const claims = Schema.decodeUnknownSync(SessionClaims.SessionClaims)({
 *   sub: "user_123",
 *   sid: "sess_123",
 *   iat: 1_700_000_000,
 *   exp: 1_700_000_060,
 *   v: 2,
 *   act: { sub: "user_support_42" }
 * })
 * SessionClaims.isImpersonated(claims) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionClaims: Schema.Schema<SessionClaims, Schema.Schema.Encoded<typeof Payload>> = Schema
  .transformOrFail(
    PayloadAsSent,
    Decoded,
    {
      strict: true,
      decode: (payload) =>
        ParseResult.succeed({
          userId: payload.sub,
          sessionId: payload.sid,
          actor: Option.fromNullable(payload.act),
          orgId: Option.orElse(
            Option.fromNullable(payload.o?.id),
            () => Option.fromNullable(payload.org_id)
          ),
          status: payload.sts ?? "active",
          issuedAt: fromSeconds(payload.iat),
          expiresAt: fromSeconds(payload.exp),
          claims: payload
        }),
      encode: (claims) => ParseResult.succeed(claims.claims)
    }
  ).annotations({ identifier: "SessionClaims" })

/**
 * True when someone acts for the user and is not an AI agent: an `act` claim whose `type` is not `"agent"`. This is
 * the case to refuse sensitive actions in.
 *
 * @example
 * ```ts
 * import { SessionClaims } from "@effect-clerk/schema"
 *
 * const banner = (claims: SessionClaims.SessionClaims) =>
 *   SessionClaims.isImpersonated(claims) ? "You are acting as this user" : undefined
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isImpersonated = (claims: SessionClaims): boolean =>
  Option.isSome(claims.actor) && claims.actor.value["type"] !== "agent"

/**
 * True when an AI agent acts for the user: an `act` claim with `type: "agent"`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isAgent = (claims: SessionClaims): boolean =>
  Option.isSome(claims.actor) && claims.actor.value["type"] === "agent"
