/**
 * The emulator's state, one record of slices, each with its own module and transitions: the tokens (`tokens.ts`),
 * the sessions (`sessions.ts`), the monthly quota (`quota.ts`), the rate-limit window (`rateWindow.ts`), the fault
 * queue (`faults.ts`), the request counts and the webhook log (`webhooks.ts`, which `Emulator.make` updates after
 * every transition). The transitions here are the ones the emulator runs,
 * `(state, now, input) => [result, state]`, each composed from the slices'; they are pure: `Emulator.make` holds the
 * state in one `Ref` and runs them atomically.
 *
 * A new slice is a field of `State`, its empty value in `initial`, and its transitions composed in the ones below
 * (accepting a ticket also starts a session).
 */
import type { Session } from "@effect-clerk/schema"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { Fault, FaultOptions, Operation, RequestCounts, Route } from "../../Emulator.js"
import type { StoredToken } from "../../EmulatorModel.js"
import * as Faults from "./faults.js"
import * as Quota from "./quota.js"
import * as RateWindow from "./rateWindow.js"
import * as Sessions from "./sessions.js"
import * as Tokens from "./tokens.js"
import * as Webhooks from "./webhooks.js"

/** @internal */
export interface State {
  readonly tokens: Tokens.Tokens
  readonly sessions: Sessions.Sessions
  readonly usage: Quota.Usage
  readonly rateWindow: RateWindow.RateWindow
  readonly faults: Faults.FaultQueue
  readonly counts: RequestCounts
  readonly webhooks: Webhooks.Log
}

/** @internal The state of a new emulator, and of one after `reset`. */
export const initial: State = {
  tokens: Tokens.empty,
  sessions: Sessions.empty,
  usage: Quota.empty,
  rateWindow: RateWindow.empty,
  faults: Faults.empty,
  counts: {
    create: 0,
    revoke: 0,
    listSessions: 0,
    getSession: 0,
    revokeSession: 0,
    createSessionToken: 0,
    getJwks: 0,
    accept: 0,
    wellKnownJwks: 0,
    unmatched: 0
  },
  webhooks: Webhooks.empty
}

/**
 * @internal Runs one step of the machine, `(state, now) => [result, state]`, atomically on the emulator's state at the
 * `Clock`'s current instant.
 */
export type Run = <A>(transition: (state: State, now: number) => readonly [A, State]) => Effect.Effect<A>

/**
 * @internal The `now` of the transitions: whole Unix milliseconds, as Clerk stamps them (a `TestClock` moved by
 * jittered sleeps can stand between two).
 */
export const currentMillis: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, Math.floor)

/** @internal Counts one request to `route`. */
export const count = (state: State, route: Route): State => ({
  ...state,
  counts: { ...state.counts, [route]: state.counts[route] + 1 }
})

/** @internal Queues a fault (see `Faults.inject`). */
export const injectFault = (state: State, fault: Fault, options?: FaultOptions): State => ({
  ...state,
  faults: Faults.inject(state.faults, fault, options)
})

/** @internal Drops the faults not yet used. */
export const clearFaults = (state: State): State => ({ ...state, faults: Faults.empty })

/** @internal Takes the next fault for a request to `operation`, if any (see `Faults.take`). */
export const takeFault = (state: State, operation: Operation): readonly [Option.Option<Faults.FaultEntry>, State] => {
  const [entry, faults] = Faults.take(state.faults, operation)
  return [entry, { ...state, faults }]
}

/** @internal Admits a request under the rate limit, if there is one (see `RateWindow.admit`). */
export const admit = (
  state: State,
  now: number,
  rateLimit: Option.Option<RateWindow.RateLimit>
): readonly [Option.Option<number>, State] => {
  if (Option.isNone(rateLimit)) return [Option.none(), state]
  const [retryAfter, rateWindow] = RateWindow.admit(state.rateWindow, now, rateLimit.value)
  return [retryAfter, { ...state, rateWindow }]
}

/** @internal The create of `tokens.ts`, under the monthly quota. */
export interface CreateInput extends Tokens.CreateInput {
  readonly monthlyQuota: Option.Option<number>
}

/** @internal Creating a token was refused: the monthly quota is used up. Nothing changed. */
export interface QuotaExceeded {
  readonly _tag: "QuotaExceeded"
}

/** @internal Creates a token, if the month's quota allows. */
export const create = (
  state: State,
  now: number,
  input: CreateInput
): readonly [Either.Either<StoredToken, QuotaExceeded>, State] => {
  const [allowed, usage] = Quota.take(state.usage, now, input.monthlyQuota)
  if (!allowed) return [Either.left({ _tag: "QuotaExceeded" }), state]
  const [token, tokens] = Tokens.create(state.tokens, now, input)
  return [Either.right(token), { ...state, tokens, usage }]
}

/** @internal Revokes a pending token (see `Tokens.revoke`). */
export const revoke = (
  state: State,
  now: number,
  id: string
): readonly [Either.Either<StoredToken, Tokens.RevokeRefused>, State] => {
  const [result, tokens] = Tokens.revoke(state.tokens, now, id)
  return [result, { ...state, tokens }]
}

/** @internal Which ticket to accept, and the random ids of the session it starts. */
export interface AcceptInput {
  readonly by: Tokens.AcceptBy
  readonly sessionId: string
  readonly clientId: string
}

/** @internal Accepts a ticket (see `Tokens.accept`), and starts the session it signs in (see `Sessions.start`). */
export const accept = (
  state: State,
  now: number,
  input: AcceptInput
): readonly [Either.Either<StoredToken, Tokens.Rejection>, State] => {
  const [result, tokens] = Tokens.accept(state.tokens, now, input.by)
  if (Either.isLeft(result)) return [result, state]
  const [, sessions] = Sessions.start(state.sessions, now, {
    token: result.right,
    sessionId: input.sessionId,
    clientId: input.clientId
  })
  return [result, { ...state, tokens, sessions }]
}

// The session transitions change only the sessions.
const onSessions = <A>(state: State, [result, sessions]: readonly [A, Sessions.Sessions]): readonly [A, State] => [
  result,
  { ...state, sessions }
]

/** @internal Adds a session that no ticket started (see `Sessions.seed`). */
export const seedSession = (
  state: State,
  now: number,
  input: Sessions.SeedInput
): readonly [Either.Either<Session.Session, { readonly _tag: "DuplicateId" }>, State] =>
  onSessions(state, Sessions.seed(state.sessions, now, input))

/** @internal Revokes a live session (see `Sessions.revoke`). */
export const revokeSession = (
  state: State,
  now: number,
  id: string
): readonly [Either.Either<Session.Session, Sessions.Refused>, State] =>
  onSessions(state, Sessions.revoke(state.sessions, now, id))

/** @internal Ends a live session: signed out or removed from its client (see `Sessions.end`). */
export const endSession = (
  state: State,
  now: number,
  id: string,
  status: "ended" | "removed"
): readonly [Either.Either<Session.Session, Sessions.Refused>, State] =>
  onSessions(state, Sessions.end(state.sessions, now, id, status))

/** @internal Activity on an active session (see `Sessions.touch`). */
export const touchSession = (
  state: State,
  now: number,
  id: string
): readonly [Either.Either<Session.Session, Sessions.Refused>, State] =>
  onSessions(state, Sessions.touch(state.sessions, now, id))
