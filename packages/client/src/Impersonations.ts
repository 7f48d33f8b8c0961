/**
 * The whole impersonation, one call each: see the impersonations a user is under ({@link active}), end them
 * ({@link end}), and stop the one an actor token started, whatever state the token is in ({@link stop}). Built on
 * the `ClerkClient`'s `actorTokens` and `sessions` operations, so a stubbed client stubs these too.
 *
 * @since 0.1.0
 */
import type { ActorToken, Session } from "@effect-clerk/schema"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as ActorTokens from "./ActorTokens.js"
import type { ClerkClient } from "./ClerkClient.js"
import { type ClerkError, ClerkInvalidInput, hasCode } from "./ClerkError.js"
import * as InternalJson from "./internal/json.js"
import * as Sessions from "./Sessions.js"

/**
 * Whose impersonations: the impersonated user's id and, optionally, only those by one impersonator (`actor.sub`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ActiveParams {
  /** The impersonated user. */
  readonly userId: string
  /** Only the impersonations by this impersonator: the `sub` of the session's `actor`. */
  readonly actor?: string | undefined
}

/**
 * The options of {@link end}.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndParams extends ActiveParams {
  /** How many sessions are revoked at once, default 4. */
  readonly concurrency?: number | undefined
}

/**
 * A session {@link end} could not revoke, and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndFailure {
  readonly session: Session.Session
  readonly error: ClerkError
}

/**
 * What {@link end} did with each impersonated session it found.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndResult {
  /** Revoked now, as Clerk answered (`status: "revoked"`). */
  readonly ended: ReadonlyArray<Session.Session>
  /** Listed as active, but gone by the time of the revoke (Clerk answered 400 or 404): ended by someone else, expired. */
  readonly alreadyEnded: ReadonlyArray<Session.Session>
  /** Could not be revoked: each session with its typed error. The other sessions were still revoked. */
  readonly failed: ReadonlyArray<EndFailure>
}

/**
 * What {@link stop} found and did.
 *
 * - `TokenRevoked`: the token was still pending; it is revoked now, and no session can start from it.
 * - `SessionsEnded`: the token had been used (accepted); the sessions it started are ended (see {@link EndResult}).
 * - `AlreadyRevoked`: the token was revoked before (as the caller's copy says): nothing to do, nothing sent.
 *
 * @since 0.1.0
 * @category models
 */
export type StopResult = Data.TaggedEnum<{
  TokenRevoked: { readonly token: ActorToken.ActorToken }
  SessionsEnded: EndResult
  AlreadyRevoked: { readonly token: ActorToken.ActorToken }
}>

/**
 * The constructors and matchers of {@link StopResult}.
 *
 * @since 0.1.0
 * @category models
 */
export const StopResult: Data.TaggedEnum.Constructor<StopResult> = Data.taggedEnum<StopResult>()

const isImpersonation = (actor: string | undefined) => (session: Session.Session): boolean =>
  session.actor !== null && (actor === undefined || session.actor["sub"] === actor)

const activeWhere = (
  userId: string,
  keep: (session: Session.Session) => boolean
): Effect.Effect<ReadonlyArray<Session.Session>, ClerkError, ClerkClient> =>
  Sessions.stream({ userId, status: "active" }).pipe(
    Stream.filter(keep),
    Stream.runCollect,
    Effect.map((chunk) => Array.from(chunk))
  )

/**
 * The user's active sessions that are impersonations (their `actor` is not null), and only those by `actor` when
 * given; across every page of the session list.
 *
 * @example
 * ```ts
 * import { Impersonations } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* Impersonations.active({ userId: "user_123" })
 *   for (const session of sessions) yield* Effect.log(`${session.id} by ${String(session.actor?.["sub"])}`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const active: (
  params: ActiveParams
) => Effect.Effect<ReadonlyArray<Session.Session>, ClerkError, ClerkClient> = Effect.fn("Impersonations.active")(
  function*(params: ActiveParams) {
    return yield* activeWhere(params.userId, isImpersonation(params.actor))
  }
)

const defaultConcurrency = 4

const revokeEach = (
  sessions: ReadonlyArray<Session.Session>,
  concurrency: number
): Effect.Effect<EndResult, never, ClerkClient> =>
  Effect.map(
    Effect.forEach(sessions, (session) => Effect.either(Sessions.revoke(session.id)), { concurrency }),
    (outcomes) => {
      const ended: Array<Session.Session> = []
      const alreadyEnded: Array<Session.Session> = []
      const failed: Array<EndFailure> = []
      outcomes.forEach((outcome, i) => {
        const session = sessions[i]!
        if (Either.isRight(outcome)) ended.push(outcome.right)
        else if (outcome.left._tag === "ClerkNotFound" || outcome.left._tag === "ClerkBadRequest") {
          // Listed as active a moment ago: it ended in between (revoked elsewhere, expired, signed out).
          alreadyEnded.push(session)
        } else failed.push({ session, error: outcome.left })
      })
      return { ended, alreadyEnded, failed }
    }
  )

const checkConcurrency = (concurrency: number | undefined): Effect.Effect<number, ClerkInvalidInput> =>
  concurrency === undefined
    ? Effect.succeed(defaultConcurrency)
    : Number.isSafeInteger(concurrency) && concurrency >= 1
    ? Effect.succeed(concurrency)
    : Effect.fail(new ClerkInvalidInput({ message: "Invalid end params: concurrency must be a whole number ≥ 1" }))

/**
 * Ends the user's active impersonations (all of them, or those by `actor`): lists them across every page, then
 * revokes each, `concurrency` at a time. It never stops half-way: the result says which sessions were ended, which
 * had already ended by the time it got there (a 400 or 404 on a session listed a moment before), and which failed,
 * each with its typed error. Only the listing can fail the effect (nothing was revoked then).
 *
 * @example
 * ```ts
 * import { Impersonations } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * // The admin panel's "stop impersonating" button.
 * const stopImpersonating = (userId: string, supportAgentId: string) =>
 *   Impersonations.end({ userId, actor: supportAgentId }).pipe(
 *     Effect.tap((result) => Effect.log(`${result.ended.length} ended, ${result.failed.length} failed`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const end: (params: EndParams) => Effect.Effect<EndResult, ClerkError, ClerkClient> = Effect.fn(
  "Impersonations.end"
)(function*(params: EndParams) {
  const concurrency = yield* checkConcurrency(params.concurrency)
  const sessions = yield* activeWhere(params.userId, isImpersonation(params.actor))
  return yield* revokeEach(sessions, concurrency)
})

/** Whether the session was started by this token: its actor holds every claim of the token's actor. */
const startedBy = (token: ActorToken.ActorToken) => (session: Session.Session): boolean =>
  session.actor !== null &&
  session.createdAt >= token.createdAt &&
  (token.actor === null || InternalJson.includes(session.actor, token.actor))

/**
 * Stops the impersonation an actor token grants, whatever state it is in, in one call — for a token the caller kept
 * from `ActorTokens.create`:
 *
 * - still pending: it is revoked (`TokenRevoked`);
 * - already used (accepted, as the caller's copy says, or as the revoke's 400 `actor_token_cannot_be_revoked_code`
 *   shows): the sessions it started are ended (`SessionsEnded`) — the user's active sessions whose actor has every
 *   claim of the token's actor, created at or after the token;
 * - revoked: nothing is sent (`AlreadyRevoked`).
 *
 * @example
 * ```ts
 * import { ActorTokens, Impersonations } from "@effect-clerk/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const token = yield* ActorTokens.create({ userId: "user_123", actor: { sub: "user_support_42" } })
 *   // … later, from the admin panel's "cancel" button, before or after the agent opened the link:
 *   const result = yield* Impersonations.stop(token)
 *   yield* Effect.log(result._tag) // "TokenRevoked" or "SessionsEnded"
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const stop: (
  token: ActorToken.ActorToken,
  options?: { readonly concurrency?: number | undefined }
) => Effect.Effect<StopResult, ClerkError, ClerkClient> = Effect.fn("Impersonations.stop")(
  function*(token: ActorToken.ActorToken, options?: { readonly concurrency?: number | undefined }) {
    const concurrency = yield* checkConcurrency(options?.concurrency)
    const endSessions = Effect.flatMap(
      activeWhere(token.userId, startedBy(token)),
      (sessions) => Effect.map(revokeEach(sessions, concurrency), StopResult.SessionsEnded)
    )
    switch (token.status) {
      case "revoked":
        return StopResult.AlreadyRevoked({ token })
      case "accepted":
        return yield* endSessions
      case "pending":
        return yield* ActorTokens.revoke(token.id).pipe(
          Effect.map((revoked) => StopResult.TokenRevoked({ token: revoked })),
          Effect.catchIf(hasCode("actor_token_cannot_be_revoked_code"), () => endSessions)
        )
    }
  }
)
