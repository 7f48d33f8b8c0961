/**
 * The typed errors of the client. Every error is plain data: none holds the request, its headers or the secret key,
 * so printing, logging or serialising one is always safe.
 *
 * @since 0.1.0
 */
import { ClerkErrorBody } from "@effect-clerk/schema"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * The error codes Clerk documents for the operations of this client, as sent in `errors[].code`.
 *
 * @since 0.1.0
 * @category codes
 */
export const KnownCode = Schema.Literal(
  "actor_token_cannot_be_revoked_code",
  "request_body_invalid",
  "api_version_invalid",
  "authentication_invalid",
  "clerk_key_invalid",
  "authorization_header_format_invalid",
  "unsupported_subscription_plan_features",
  "authorization_invalid",
  "feature_not_enabled",
  "resource_not_found",
  "form_param_missing",
  "form_param_unknown",
  "form_param_format_invalid",
  "form_param_value_invalid",
  "form_param_type_invalid",
  "impersonation_limit_exceeded",
  "unsupported_content_type",
  "too_many_requests",
  "internal_clerk_error"
)

/**
 * @since 0.1.0
 * @category codes
 */
export type KnownCode = typeof KnownCode.Type

/**
 * A Clerk error code: one of the {@link KnownCode}s (completed by your editor), or any other string, for codes Clerk
 * adds later.
 *
 * @since 0.1.0
 * @category codes
 */
export type Code = KnownCode | (string & {})

const statusFields = {
  /** The HTTP status Clerk answered with. */
  status: Schema.Number,
  /** Clerk's error entries; empty when the body was not Clerk's error JSON (e.g. an HTML error page). */
  errors: Schema.Array(ClerkErrorBody.ClerkErrorEntry),
  /** Clerk's trace id for the failed request, to quote to Clerk support. */
  clerkTraceId: Schema.optionalWith(Schema.String, { exact: true }),
  /** Clerk's `long_message` (or `message`) of the first entry, else a description of the status. */
  message: Schema.String
}

/**
 * 400: the request was refused, e.g. `actor_token_cannot_be_revoked_code` (revoking a token that is no longer
 * pending), `request_body_invalid`, `api_version_invalid`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkBadRequest extends Schema.TaggedError<ClerkBadRequest>()("ClerkBadRequest", statusFields) {}

/**
 * 401: the secret key is missing, malformed or wrong (`authentication_invalid`, `clerk_key_invalid`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()("ClerkUnauthorized", statusFields) {}

/**
 * 402: impersonation is not part of the application's plan.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkPaymentRequired
  extends Schema.TaggedError<ClerkPaymentRequired>()("ClerkPaymentRequired", statusFields)
{}

/**
 * 403: the key may not do this (`authorization_invalid`, `feature_not_enabled`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkForbidden extends Schema.TaggedError<ClerkForbidden>()("ClerkForbidden", statusFields) {}

/**
 * 404: no such actor token (`resource_not_found`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkNotFound extends Schema.TaggedError<ClerkNotFound>()("ClerkNotFound", statusFields) {}

/**
 * 422: Clerk refused a parameter (`form_param_missing`, `form_param_unknown`, `form_param_value_invalid`, …) or the
 * monthly impersonation quota is used up (`impersonation_limit_exceeded`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnprocessableEntity
  extends Schema.TaggedError<ClerkUnprocessableEntity>()("ClerkUnprocessableEntity", statusFields)
{}

/**
 * 429: too many requests (`too_many_requests`). `retryAfter` is Clerk's `Retry-After` (seconds or an HTTP date),
 * absent when the header was missing or unreadable.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkRateLimited extends Schema.TaggedError<ClerkRateLimited>()("ClerkRateLimited", {
  ...statusFields,
  retryAfter: Schema.optionalWith(Schema.DurationFromSelf, { exact: true })
}) {}

/**
 * 5xx: a fault on Clerk's side or in a proxy in front of it (`internal_clerk_error`, a gateway's HTML page, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkServerError extends Schema.TaggedError<ClerkServerError>()("ClerkServerError", statusFields) {}

/**
 * Any other status: 1xx, 3xx, or a 4xx without a class of its own (405, 409, 415, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnexpectedStatus
  extends Schema.TaggedError<ClerkUnexpectedStatus>()("ClerkUnexpectedStatus", statusFields)
{}

/**
 * The input was refused before any request was sent: an id that is not a valid id, a missing `actor.sub`, a
 * duration that is not a positive whole number, an unknown parameter, …
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkInvalidInput extends Schema.TaggedError<ClerkInvalidInput>()("ClerkInvalidInput", {
  /** What was wrong, naming the field. */
  message: Schema.String
}) {}

/**
 * Why no HTTP response arrived.
 *
 * - `ConnectionRefused`, `DnsLookupFailed`: the request provably never reached the server.
 * - `ConnectionReset`: the connection broke while the request or the response was in flight.
 * - `Timeout`: the attempt took longer than the client's `timeout`.
 * - `Unknown`: any other transport failure.
 *
 * @since 0.1.0
 * @category errors
 */
export const TransportFailureReason = Schema.Literal(
  "ConnectionRefused",
  "DnsLookupFailed",
  "ConnectionReset",
  "Timeout",
  "Unknown"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type TransportFailureReason = typeof TransportFailureReason.Type

/**
 * No usable HTTP response: connection failure, reset, timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkTransportError extends Schema.TaggedError<ClerkTransportError>()("ClerkTransportError", {
  reason: TransportFailureReason,
  message: Schema.String
}) {}

/**
 * Why a 2xx response could not be used.
 *
 * @since 0.1.0
 * @category errors
 */
export const DecodeFailureReason = Schema.Literal("InvalidJson", "SchemaMismatch", "BodyTooLarge")

/**
 * @since 0.1.0
 * @category errors
 */
export type DecodeFailureReason = typeof DecodeFailureReason.Type

/**
 * A successful status whose body is not the expected JSON. The message names the paths that did not match, never
 * the body's values (they may hold credentials).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkDecodeError extends Schema.TaggedError<ClerkDecodeError>()("ClerkDecodeError", {
  status: Schema.Number,
  reason: DecodeFailureReason,
  message: Schema.String
}) {}

/**
 * Why the shared rate limiter could not give a permit.
 *
 * - `Timeout`: its store did not answer within the limiter's bound.
 * - `Unreachable`: there is no connection to its store (down, refused, not yet reconnected).
 * - `Failed`: the store answered with an error (out of memory, read-only replica, wrong password, …).
 *
 * @since 0.1.0
 * @category errors
 */
export const RateLimiterFailureReason = Schema.Literal("Timeout", "Unreachable", "Failed")

/**
 * @since 0.1.0
 * @category errors
 */
export type RateLimiterFailureReason = typeof RateLimiterFailureReason.Type

/**
 * The rate limit shared across processes (`SharedRateLimiter`, e.g. `@effect-clerk/client/RedisRateLimiter`) could
 * not be consulted, and it is configured to fail the call rather than go on without it (`onUnavailable: "fail"`, the
 * default). No request was sent. The client does not retry it: the next call asks the limiter again. The message
 * never holds the store's address or password.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkRateLimiterUnavailable
  extends Schema.TaggedError<ClerkRateLimiterUnavailable>()("ClerkRateLimiterUnavailable", {
    reason: RateLimiterFailureReason,
    message: Schema.String
  })
{}

/**
 * The errors for an HTTP status Clerk answered with: each has `status`, Clerk's `errors` entries and, when Clerk sent
 * one, `clerkTraceId`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClerkStatusError =
  | ClerkBadRequest
  | ClerkUnauthorized
  | ClerkPaymentRequired
  | ClerkForbidden
  | ClerkNotFound
  | ClerkUnprocessableEntity
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus

/**
 * The schema of every {@link ClerkStatusError}.
 *
 * @since 0.1.0
 * @category errors
 */
export const ClerkStatusError: Schema.Union<[
  typeof ClerkBadRequest,
  typeof ClerkUnauthorized,
  typeof ClerkPaymentRequired,
  typeof ClerkForbidden,
  typeof ClerkNotFound,
  typeof ClerkUnprocessableEntity,
  typeof ClerkRateLimited,
  typeof ClerkServerError,
  typeof ClerkUnexpectedStatus
]> = Schema.Union(
  ClerkBadRequest,
  ClerkUnauthorized,
  ClerkPaymentRequired,
  ClerkForbidden,
  ClerkNotFound,
  ClerkUnprocessableEntity,
  ClerkRateLimited,
  ClerkServerError,
  ClerkUnexpectedStatus
)

const statusTags: ReadonlySet<string> = new Set(ClerkStatusError.members.map((member) => member._tag))

/**
 * Whether a value is a {@link ClerkStatusError}: Clerk answered, with any error status. Checks the tag, so it also
 * holds for errors decoded with the schemas.
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkError } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * // Any status error becomes a log line; transport and decode errors still fail the effect.
 * const program = ActorTokens.revoke("act_123").pipe(
 *   Effect.catchIf(ClerkError.isClerkStatusError, (error) => Effect.logWarning(`Clerk said ${error.status}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isClerkStatusError = (u: unknown): u is ClerkStatusError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && statusTags.has(u._tag) &&
  Predicate.hasProperty(u, "errors") && Array.isArray(u.errors)

/**
 * Whether an error is a {@link ClerkStatusError} one of whose entries has this Clerk `code`. Data-first or, for
 * `Effect.catchIf` / `Effect.filterOrFail`, data-last.
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkError } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * // A token that is no longer pending is not a failure when cancelling.
 * const cancel = (id: string) =>
 *   ActorTokens.revoke(id).pipe(
 *     Effect.asVoid,
 *     Effect.catchIf(ClerkError.hasCode("actor_token_cannot_be_revoked_code"), () => Effect.void)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const hasCode: {
  (code: Code): <E>(error: E) => error is Extract<E, ClerkStatusError>
  <E>(error: E, code: Code): error is Extract<E, ClerkStatusError>
} = dual(
  2,
  (error: unknown, code: string): error is ClerkStatusError =>
    isClerkStatusError(error) && error.errors.some((entry) => entry.code === code)
)

/**
 * Every error a call to Clerk can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClerkError =
  | ClerkInvalidInput
  | ClerkStatusError
  | ClerkTransportError
  | ClerkDecodeError
  | ClerkRateLimiterUnavailable

/**
 * The schema of every {@link ClerkError}, e.g. to send one across a process boundary.
 *
 * @since 0.1.0
 * @category errors
 */
export const ClerkError: Schema.Union<[
  ...typeof ClerkStatusError.members,
  typeof ClerkInvalidInput,
  typeof ClerkTransportError,
  typeof ClerkDecodeError,
  typeof ClerkRateLimiterUnavailable
]> = Schema.Union(
  ...ClerkStatusError.members,
  ClerkInvalidInput,
  ClerkTransportError,
  ClerkDecodeError,
  ClerkRateLimiterUnavailable
)

/**
 * The configuration given to `ClerkClient.layer` was refused. It names the option, never the key's value: `option`
 * is the option's path (`"rateLimit.limit"`), `reason` says what is wrong with it, and `message` is both in a
 * sentence.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkConfigError extends Schema.TaggedError<ClerkConfigError>()("ClerkConfigError", {
  /** The refused option's path, e.g. `"secretKey"` or `"rateLimit.interval"`; `"options"` for the whole object. */
  option: Schema.String,
  /** What is wrong with it, e.g. `"the secret key is empty"`. */
  reason: Schema.String,
  message: Schema.String
}) {}
