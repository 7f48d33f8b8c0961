/**
 * Clerk's sessions: an accepted actor token *is* a session of the impersonated user, with the token's `actor` on
 * it. List, read and revoke them here, and mint a session token for one; `Impersonations` builds the whole workflow on these operations. Accessors of
 * the `ClerkClient` in context: `Sessions.list(params)` runs `clerkClient.sessions.list(params)`.
 *
 * @since 0.1.0
 */
import type { Session } from "@effect-clerk/schema"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { ClerkClient } from "./ClerkClient.js"
import type { ClerkError } from "./ClerkError.js"

/**
 * The query of {@link list}, as plain values checked when the effect runs: at least one of `userId` and `clientId`;
 * ids of 1–128 `[A-Za-z0-9_-]`; `limit` 1–500 (Clerk answers 10 when it is left out); `offset` ≥ 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListParams {
  /** The user whose sessions to list. */
  readonly userId?: string | undefined
  /** The client (browser or device) whose sessions to list. */
  readonly clientId?: string | undefined
  /** Only sessions with this status. */
  readonly status?: Session.SessionListStatus | undefined
  /** The page size, 1–500; Clerk's default is 10. */
  readonly limit?: number | undefined
  /** How many sessions to skip (newest first). */
  readonly offset?: number | undefined
}

/**
 * The query of {@link stream}: {@link ListParams} without the paging, which the stream does itself.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamParams = Omit<ListParams, "limit" | "offset">

/**
 * One page of sessions, newest first, with `totalCount` (the matches over every page) when the server says. The
 * query is checked before anything is sent: a missing `userId` / `clientId`, a `limit` outside 1–500 or an id that
 * is not an id fails with `ClerkInvalidInput` and no request. Retried like every read. It fails with any
 * {@link ClerkError}; a query Clerk refuses gives `ClerkUnprocessableEntity` (`form_param_*`) or `ClerkBadRequest`.
 *
 * @example
 * ```ts
 * import { Sessions } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const page = yield* Sessions.list({ userId: "user_123", status: "active", limit: 100 })
 *   const impersonated = page.data.filter((session) => session.actor !== null)
 *   yield* Effect.log(`${impersonated.length} of ${page.totalCount ?? page.data.length} active sessions`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (params: ListParams): Effect.Effect<Session.SessionList, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.sessions.list(params))

/**
 * One session by id. It fails with any {@link ClerkError}; `ClerkNotFound` (`resource_not_found`) for an unknown id.
 *
 * @example
 * ```ts
 * import { Sessions } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const whoIsImpersonating = (sessionId: string) =>
 *   Sessions.get(sessionId).pipe(Effect.map((session) => session.actor?.["sub"]))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (sessionId: string): Effect.Effect<Session.Session, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.sessions.get(sessionId))

/**
 * Revokes a session: it answers with the session, `status: "revoked"`, and whoever used it must sign in again.
 * Revoking is safe to repeat, so it is retried after 429, 5xx, timeouts and transport failures, like a token revoke.
 * It fails with any {@link ClerkError}; `ClerkNotFound` for an unknown id, `ClerkBadRequest` for a session that can no
 * longer be revoked.
 *
 * @example
 * ```ts
 * import { Sessions } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const program = Sessions.revoke("sess_123").pipe(Effect.tap((session) => Effect.log(session.status)))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const revoke = (sessionId: string): Effect.Effect<Session.Session, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.sessions.revoke(sessionId))

/**
 * The options of {@link createToken}, checked when the effect runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateTokenOptions {
  /** The token's lifetime, 30–315360000 whole seconds; Clerk's default is 60. */
  readonly expiresInSeconds?: number | undefined
}

/**
 * Mints a session token (a signed JWT) for a session, as Clerk's frontend would hold for it: `sub` the user, `sid`
 * the session, and `act` the actor for an impersonation. The token is a credential, returned `Redacted`: it never
 * reaches a log, a span or an error. The id and `expiresInSeconds` (30–315360000 whole seconds) are checked before
 * anything is sent (`ClerkInvalidInput`, no request); an unknown session is `ClerkNotFound`. Minting is safe to
 * repeat, so it is retried like a read.
 *
 * @example
 * ```ts
 * import { Sessions } from "@effect-clerk/client"
 * import { Effect, Redacted } from "effect"
 *
 * // A token to call your own API as the session's user, for five minutes.
 * const program = Sessions.createToken("sess_123", { expiresInSeconds: 300 }).pipe(
 *   Effect.map((jwt) => ({ authorization: `Bearer ${Redacted.value(jwt)}` }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const createToken = (
  sessionId: string,
  options?: CreateTokenOptions
): Effect.Effect<Redacted.Redacted<string>, ClerkError, ClerkClient> =>
  Effect.flatMap(ClerkClient, (client) => client.sessions.createToken(sessionId, options))

/**
 * The page size {@link stream} asks for: the largest the session list serves.
 *
 * @since 0.1.0
 * @category constants
 */
export const pageSize = 500

/**
 * Every session matching the query, over as many pages of {@link pageSize} as there are, newest first: the next page
 * is asked for only when the stream is pulled, and the last is a short one (or the one that reaches the server's
 * total). A session seen on an earlier page is not emitted twice (pages shift when sessions start meanwhile).
 *
 * @example
 * ```ts
 * import { Sessions } from "@effect-clerk/client"
 * import { Effect, Stream } from "effect"
 *
 * const activeImpersonations = Sessions.stream({ userId: "user_123", status: "active" }).pipe(
 *   Stream.filter((session) => session.actor !== null),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (params: StreamParams): Stream.Stream<Session.Session, ClerkError, ClerkClient> =>
  Stream.unwrap(Effect.map(ClerkClient, (client) => {
    const seen = new Set<string>()
    return Stream.paginateChunkEffect(
      0,
      (offset: number) =>
        Effect.map(client.sessions.list({ ...params, limit: pageSize, offset }), (page) => {
          const fresh = page.data.filter((session: Session.Session) => !seen.has(session.id))
          for (const session of fresh) seen.add(session.id)
          const next = offset + page.data.length
          const last = page.data.length < pageSize ||
            (page.totalCount !== undefined && next >= page.totalCount) ||
            // A full page of sessions already seen: the server is not moving on; stop rather than loop.
            fresh.length === 0
          return [Chunk.unsafeFromArray(fresh), last ? Option.none<number>() : Option.some(next)] as const
        })
    )
  })).pipe(Stream.withSpan("Sessions.stream"))
