/**
 * Everything the emulator puts on the wire: Clerk's error entries and the responses, always produced by encoding
 * with the schemas of `@effect-clerk/schema`, never written as JSON by hand.
 */
import { ActorToken, ClerkErrorBody, Jwks, Session, SessionToken } from "@effect-clerk/schema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { randomString } from "./random.js"

/** @internal */
export type ErrorEntry = ClerkErrorBody.ClerkErrorEntry

const entry = (
  code: string,
  message: string,
  longMessage: string,
  meta?: Record<string, unknown>
): ErrorEntry => meta === undefined ? { code, message, longMessage } : { code, message, longMessage, meta }

/** @internal Clerk's error entries, as the Backend API answers them. */
export const errors = {
  authenticationInvalid: (): ErrorEntry =>
    entry(
      "authentication_invalid",
      "Invalid authentication",
      "Unable to authenticate the request, you need to supply an active API key"
    ),
  authorizationHeaderFormatInvalid: (): ErrorEntry =>
    entry(
      "authorization_header_format_invalid",
      "Invalid Authorization header format",
      "Invalid Authorization header format. Must be \"Bearer <YOUR_API_KEY>\""
    ),
  clerkKeyInvalid: (): ErrorEntry =>
    entry(
      "clerk_key_invalid",
      "Secret Key is invalid",
      "The provided Secret Key is invalid. Make sure that your Secret Key is correct."
    ),
  apiVersionInvalid: (detail: string): ErrorEntry => entry("api_version_invalid", "Invalid API version", detail),
  requestBodyInvalid: (): ErrorEntry =>
    entry(
      "request_body_invalid",
      "Request body invalid",
      "The request body is invalid. Please consult the API documentation for more information."
    ),
  resourceNotFound: (): ErrorEntry => entry("resource_not_found", "not found", "Resource not found"),
  cannotBeRevoked: (status: ActorToken.ActorTokenStatus): ErrorEntry =>
    entry(
      "actor_token_cannot_be_revoked_code",
      "cannot revoke actor token",
      `Actor token cannot be revoked because its status is ${status}. Only pending tokens can be revoked.`
    ),
  formParamMissing: (param: string): ErrorEntry =>
    entry("form_param_missing", "missing required parameter", `${param} must be included.`, { param_name: param }),
  formParamUnknown: (param: string): ErrorEntry =>
    entry("form_param_unknown", "is unknown", `${param} is not a valid parameter for this request.`, {
      param_name: param
    }),
  formParamTypeInvalid: (param: string): ErrorEntry =>
    entry("form_param_type_invalid", "is invalid", `${param} has an invalid type.`, { param_name: param }),
  formParamValueInvalid: (param: string): ErrorEntry =>
    entry("form_param_value_invalid", "is invalid", `${param} is invalid.`, { param_name: param }),
  formParamFormatInvalid: (param: string): ErrorEntry =>
    entry("form_param_format_invalid", "is invalid", `${param} has an invalid format.`, { param_name: param }),
  // *unverified*: what Clerk answers for revoking a session that is no longer active is not documented.
  sessionNotActive: (status: Session.SessionStatus): ErrorEntry =>
    entry(
      "session_not_active",
      "session is not active",
      `Session cannot be revoked because its status is ${status}. Only active or pending sessions can be revoked.`
    ),
  // *unverified*: what Clerk answers for a token of a session that is no longer active is not documented.
  sessionTokenNotActive: (status: Session.SessionStatus): ErrorEntry =>
    entry(
      "session_not_active",
      "session is not active",
      `A session token cannot be created because the session's status is ${status}. Only active or pending sessions have tokens.`
    ),
  impersonationLimitExceeded: (quota: number): ErrorEntry =>
    entry(
      "impersonation_limit_exceeded",
      "Impersonation limit exceeded",
      `You have reached the limit of ${quota} impersonations for this month. Upgrade your plan for more.`
    ),
  unsupportedPlanFeatures: (): ErrorEntry =>
    entry(
      "unsupported_subscription_plan_features",
      "Unsupported subscription plan features",
      "User impersonation is not included in your current plan. Upgrade your plan to use it."
    ),
  tooManyRequests: (): ErrorEntry =>
    entry("too_many_requests", "Too many requests", "Too many requests, please retry later."),
  internalClerkError: (): ErrorEntry =>
    entry(
      "internal_clerk_error",
      "Oops, an unexpected error occurred",
      "There was an internal error on our servers. We've been notified and are working on fixing it."
    )
} as const

const hex = "0123456789abcdef"

const encodeErrorBody = HttpServerResponse.schemaJson(ClerkErrorBody.ClerkErrorBody)
const encodeActorToken = HttpServerResponse.schemaJson(ActorToken.ActorToken)
const encodeSession = HttpServerResponse.schemaJson(Session.Session)
const encodeSessionList = HttpServerResponse.schemaJson(Session.SessionList)
const encodeSessionToken = HttpServerResponse.schemaJson(SessionToken.SessionToken)
const encodeJwks = HttpServerResponse.schemaJson(Jwks.Jwks)

/** @internal An error response with Clerk's body and a fresh `clerk_trace_id`. */
export const errorResponse = (
  status: number,
  entries: ReadonlyArray<ErrorEntry>,
  headers?: Record<string, string>
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.flatMap(randomString(hex, 32), (clerkTraceId) =>
    encodeErrorBody(
      { errors: entries, clerkTraceId },
      headers === undefined ? { status } : { status, headers }
    )).pipe(Effect.orDie)

/** @internal A 200 response with the token's wire JSON (extra fields of a subclass are not encoded). */
export const actorTokenResponse = (
  token: ActorToken.ActorToken
): Effect.Effect<HttpServerResponse.HttpServerResponse> => Effect.orDie(encodeActorToken(token, { status: 200 }))

/** @internal A 200 response with the session's wire JSON. */
export const sessionResponse = (session: Session.Session): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.orDie(encodeSession(session, { status: 200 }))

/**
 * @internal A 200 response with a page of sessions: `{ data, total_count }` when `totalCount` is given (the answer to
 * `paginated=true`), else the bare array.
 */
export const sessionListResponse = (
  page: Session.SessionList
): Effect.Effect<HttpServerResponse.HttpServerResponse> => Effect.orDie(encodeSessionList(page, { status: 200 }))

/** @internal A 200 response with a minted session token, `{ "object": "token", "jwt" }`. */
export const sessionTokenResponse = (jwt: string): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.orDie(encodeSessionToken(new SessionToken.SessionToken({ jwt: Redacted.make(jwt) }), { status: 200 }))

/** @internal A 200 response with a key set. */
export const jwksResponse = (jwks: Jwks.Jwks): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.orDie(encodeJwks(jwks, { status: 200 }))

/** @internal A value's wire JSON, as a string. */
export const jsonString = <A, I>(schema: Schema.Schema<A, I>, value: A): string =>
  JSON.stringify(Schema.encodeSync(schema)(value))
