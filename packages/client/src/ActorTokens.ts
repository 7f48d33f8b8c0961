/**
 * The two actor-token operations of Clerk's Backend API, as accessors of the `ClerkClient` in context:
 * `ActorTokens.create(params)` runs `clerkClient.actorTokens.create(params)`.
 *
 * @since 0.1.0
 */
import type { ActorToken } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import { ClerkClient } from "./ClerkClient.js"
import type { ClerkError } from "./ClerkError.js"

/**
 * The parameters of {@link create}, as plain values: they are checked when the effect runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateParams {
  /** The user to impersonate. */
  readonly userId: string
  /** `sub` is the impersonator's user id; every other key is an extra claim, sent verbatim beside `sub`. */
  readonly actor: { readonly sub: string; readonly [claim: string]: unknown }
  /** Lifetime of the token in seconds; Clerk's default (3600) applies when left out. */
  readonly expiresInSeconds?: number | undefined
  /** Longest session the token can start, in seconds; Clerk's default (1800) applies when left out. */
  readonly sessionMaxDurationInSeconds?: number | undefined
}

/**
 * Creates an actor token: a one-time sign-in as `userId`, on behalf of `actor.sub`. Extra keys of `actor` become
 * claims of the impersonated session's `act` claim. The token's `url` and `token` are credentials (returned as
 * `Redacted`): hand them only to the impersonator.
 *
 * Never sent twice for an ambiguous failure (5xx, timeout, reset) unless `retryCreateOnAmbiguousFailure` is set.
 *
 * It fails with any {@link ClerkError}, since the server can answer any status. The Clerk codes met in practice:
 * `ClerkUnprocessableEntity` for `form_param_*` and `impersonation_limit_exceeded` (monthly quota used up);
 * `ClerkPaymentRequired` when impersonation is not on the plan; `ClerkBadRequest` for `request_body_invalid` and
 * `api_version_invalid`; `ClerkUnauthorized` / `ClerkForbidden` for a wrong key or one not allowed to impersonate;
 * `ClerkRateLimited` (`too_many_requests`) after the retries allowed by `maxRetries` and `maxRetryAfter`.
 *
 * @example
 * ```ts
 * import { ActorTokens } from "@effect-clerk/client"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* ActorTokens.create({
 *     userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
 *     actor: { sub: "user_support_42", ticket: "T-1234" },
 *     expiresInSeconds: 600
 *   })
 *   return token.url ? Redacted.value(token.url) : undefined
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  params: CreateParams
): Effect.Effect<ActorToken.ActorToken, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.actorTokens.create(params))

/**
 * Revokes a pending actor token. A token that is already `accepted` or `revoked` fails with `ClerkBadRequest`
 * (`actor_token_cannot_be_revoked_code`); to end an accepted impersonation, revoke its session instead.
 *
 * The id is checked first: anything that is not 1–128 of `[A-Za-z0-9_-]` fails with `ClerkInvalidInput` and no
 * request is sent. Revoking is safe to repeat, so it is retried after 429, 5xx, timeouts and transport failures. It fails
 * with any {@link ClerkError}; `ClerkNotFound` (`resource_not_found`) when no token has this id.
 *
 * @example
 * ```ts
 * import { ActorTokens } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const cancel = (id: string) =>
 *   ActorTokens.revoke(id).pipe(
 *     Effect.catchTag("ClerkBadRequest", (e) => Effect.logWarning(`not pending: ${e.message}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const revoke = (
  actorTokenId: string
): Effect.Effect<ActorToken.ActorToken, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.actorTokens.revoke(actorTokenId))
