/**
 * The sessions the emulator keeps: what accepting a ticket starts, and what the session routes read and revoke. Each
 * transition is a pure function `(sessions, now, input) => [result, sessions]`: the clock (`now`, whole Unix
 * milliseconds) and the random ids are inputs.
 *
 * A session keeps the status it was given (`active` when started, `revoked` once revoked, or what a test seeded); the
 * time rules apply when it is read, at `now` ({@link at}). A live session (`active` or `pending`) is `expired` from
 * `expire_at` on and, when it is an impersonation (non-null `actor`), from 10 minutes after `last_active_at`; it is
 * `abandoned` from `abandon_at` on, if that comes first.
 */
import { Ids, Json, Session } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { SeedSessionParams } from "../../Emulator.js"
import type { StoredToken } from "../../EmulatorModel.js"

/** @internal Every session with the status it was given, oldest first. */
export type Sessions = ReadonlyArray<Session.Session>

/** @internal */
export const empty: Sessions = []

const minute = 60_000
const day = 24 * 60 * minute

// An impersonated session ends after this long without activity.
const inactivityTimeoutMillis = 10 * minute

// `abandon_at` is this long after a session starts (the emulator's choice).
const abandonAfterMillis = 30 * day

// A seeded session's `expire_at`, when not given: this long after it started (Clerk's default lifetime).
const seededLifetimeMillis = 7 * day

// A time so far ahead that it is no longer a safe integer never comes: clamp it rather than fail the `Int` check.
const later = (start: number, millis: number): number => Math.min(start + millis, Number.MAX_SAFE_INTEGER)

const isLive = (status: Session.SessionStatus): boolean => status === "active" || status === "pending"

// The instants at which a live session stops being live, and the status each gives.
const deadlines = (session: Session.Session): ReadonlyArray<readonly [number, Session.SessionStatus]> => [
  [session.expireAt, "expired"],
  ...(session.actor !== null ? [[session.lastActiveAt + inactivityTimeoutMillis, "expired"] as const] : []),
  [session.abandonAt, "abandoned"]
]

/**
 * @internal The session as it stands at `now`: a live session past one of its deadlines has the status that deadline
 * gives, and `updated_at` the instant it was reached.
 */
export const at = (session: Session.Session, now: number): Session.Session => {
  if (!isLive(session.status)) return session
  const reached = deadlines(session).filter(([time]) => now >= time).sort(([a], [b]) => a - b)[0]
  if (reached === undefined) return session
  const [time, status] = reached
  return new Session.Session({ ...session, status, updatedAt: Math.max(session.updatedAt, time) })
}

/** @internal The instant a session given a live status stops being live: the earliest of its deadlines. */
export const deadline = (session: Session.Session): Option.Option<number> =>
  isLive(session.status) ? Option.some(Math.min(...deadlines(session).map(([time]) => time))) : Option.none()

/** @internal What `start` needs besides the clock: the accepted token and the random ids. */
export interface StartInput {
  readonly token: StoredToken
  readonly sessionId: string
  readonly clientId: string
}

/**
 * @internal Starts the session an accepted ticket signs in: the token's user and actor, `active`, expiring
 * `session_max_duration_in_seconds` after `now`.
 */
export const start = (sessions: Sessions, now: number, input: StartInput): readonly [Session.Session, Sessions] => {
  const session = new Session.Session({
    object: "session",
    id: Ids.SessionId.make(input.sessionId),
    userId: input.token.userId,
    clientId: Ids.ClientId.make(input.clientId),
    actor: input.token.actor,
    status: "active",
    lastActiveOrganizationId: null,
    lastActiveAt: now,
    latestActivity: null,
    expireAt: later(now, input.token.sessionMaxDurationInSeconds * 1000),
    abandonAt: later(now, abandonAfterMillis),
    updatedAt: now,
    createdAt: now
  })
  return [session, [...sessions, session]]
}

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

// Seed params as checked: ids by the id rule, JSON claims, a known status, whole-millisecond times.
const SeedParams = Schema.Struct({
  userId: Ids.UserId,
  id: optional(Ids.SessionId),
  clientId: optional(Ids.ClientId),
  actor: optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Json.JsonValue }))),
  status: optional(Session.SessionStatus),
  createdAt: optional(Schema.Int),
  lastActiveAt: optional(Schema.Int),
  expireAt: optional(Schema.Int),
  abandonAt: optional(Schema.Int)
})

const decodeSeed = Schema.decodeUnknownEither(SeedParams)

/** @internal Checks seed params (no other key allowed): the params, or why they were refused. */
export const decodeSeedParams = (params: SeedSessionParams): Either.Either<typeof SeedParams.Type, string> =>
  Either.mapLeft(decodeSeed(params, { onExcessProperty: "error" }), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    return `Invalid session seed${issue && issue.path.length > 0 ? ` "${issue.path.join(".")}"` : ""}: ${
      issue?.message ?? "invalid value"
    }`
  })

/** @internal Seed params as checked, with the random ids drawn for the ones not given. */
export interface SeedInput extends Omit<typeof SeedParams.Type, "id" | "clientId"> {
  readonly id: string
  readonly clientId: string
}

/** @internal Adds a seeded session, unless one already has its id. */
export const seed = (
  sessions: Sessions,
  now: number,
  input: SeedInput
): readonly [Either.Either<Session.Session, { readonly _tag: "DuplicateId" }>, Sessions] => {
  if (sessions.some((s) => s.id === input.id)) return [Either.left({ _tag: "DuplicateId" }), sessions]
  const createdAt = input.createdAt ?? now
  const session = new Session.Session({
    object: "session",
    id: Ids.SessionId.make(input.id),
    userId: input.userId,
    clientId: Ids.ClientId.make(input.clientId),
    actor: input.actor ?? null,
    status: input.status ?? "active",
    lastActiveOrganizationId: null,
    lastActiveAt: input.lastActiveAt ?? createdAt,
    latestActivity: null,
    expireAt: input.expireAt ?? later(createdAt, seededLifetimeMillis),
    abandonAt: input.abandonAt ?? later(createdAt, abandonAfterMillis),
    updatedAt: createdAt,
    createdAt
  })
  return [Either.right(at(session, now)), [...sessions, session]]
}

/** @internal The session with this id, at `now`. */
export const find = (sessions: Sessions, now: number, id: string): Option.Option<Session.Session> =>
  Option.map(Option.fromNullable(sessions.find((s) => s.id === id)), (s) => at(s, now))

/** @internal Every session at `now`, oldest first. */
export const all = (sessions: Sessions, now: number): Sessions => sessions.map((s) => at(s, now))

/** @internal Why a session could not be changed: no session has the id, or it is no longer live (its status now). */
export type Refused =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotActive"; readonly status: Session.SessionStatus }

/** @internal The data of the `SessionRejected` a refusal gives. */
export const rejection = (refused: Refused): { readonly reason: "NotFound" | "NotActive"; readonly message: string } =>
  refused._tag === "NotFound"
    ? { reason: "NotFound", message: "No session has this id." }
    : { reason: "NotActive", message: `The session is ${refused.status}, not active.` }

// Replaces the session with this id by `change(it)`, if `allowed` at `now`; else says why not and changes nothing.
const update = (
  sessions: Sessions,
  now: number,
  id: string,
  allowed: (status: Session.SessionStatus) => boolean,
  change: (session: Session.Session) => Session.Session
): readonly [Either.Either<Session.Session, Refused>, Sessions] => {
  const index = sessions.findIndex((s) => s.id === id)
  const stored = sessions[index]
  if (stored === undefined) return [Either.left({ _tag: "NotFound" }), sessions]
  const current = at(stored, now)
  if (!allowed(current.status)) return [Either.left({ _tag: "NotActive", status: current.status }), sessions]
  const changed = change(current)
  return [Either.right(changed), sessions.map((s, i) => i === index ? changed : s)]
}

/** @internal A live session (`active` or `pending` at `now`) → `revoked`; any other is refused. */
export const revoke = (
  sessions: Sessions,
  now: number,
  id: string
): readonly [Either.Either<Session.Session, Refused>, Sessions] =>
  update(sessions, now, id, isLive, (s) => new Session.Session({ ...s, status: "revoked", updatedAt: now }))

/**
 * @internal A live session ends as Clerk's Frontend API ends one: `ended` (signed out) or `removed` (removed from its
 * client); any other is refused.
 */
export const end = (
  sessions: Sessions,
  now: number,
  id: string,
  status: "ended" | "removed"
): readonly [Either.Either<Session.Session, Refused>, Sessions] =>
  update(sessions, now, id, isLive, (s) => new Session.Session({ ...s, status, updatedAt: now }))

/** @internal Activity on an `active` session: `last_active_at` = `now`, which restarts the inactivity timeout. */
export const touch = (
  sessions: Sessions,
  now: number,
  id: string
): readonly [Either.Either<Session.Session, Refused>, Sessions] =>
  update(
    sessions,
    now,
    id,
    (status) => status === "active",
    (s) => new Session.Session({ ...s, lastActiveAt: now, updatedAt: now })
  )

/** @internal The list query as checked: Clerk's defaults filled in. */
export interface ListQuery {
  readonly userId?: string | undefined
  readonly clientId?: string | undefined
  readonly status?: Session.SessionListStatus | undefined
  readonly limit: number
  readonly offset: number
}

/** @internal The page size when `limit` is not given. */
export const defaultLimit = 10

/**
 * @internal One page of the sessions matching the query at `now` (the user's, the client's, with that status), newest
 * first (of two started at the same instant, the later one first), and how many match over every page.
 */
export const list = (
  sessions: Sessions,
  now: number,
  query: ListQuery
): { readonly data: Sessions; readonly totalCount: number } => {
  const matching = all(sessions, now)
    .filter((s) =>
      (query.userId === undefined || s.userId === query.userId) &&
      (query.clientId === undefined || s.clientId === query.clientId) &&
      (query.status === undefined || s.status === query.status)
    )
    .reverse()
    .sort((a, b) => b.createdAt - a.createdAt)
  return { data: matching.slice(query.offset, query.offset + query.limit), totalCount: matching.length }
}
