/**
 * The actor tokens the emulator keeps, and their transitions: create, revoke, accept. Each is a pure function
 * `(tokens, now, input) => [result, tokens]`: the clock (`now`, whole Unix milliseconds) and the random parts (id,
 * ticket) are inputs, so the same inputs always give the same result.
 */
import { type ActorToken, Ids } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { TicketRejected } from "../../Emulator.js"
import { StoredToken } from "../../EmulatorModel.js"

/** @internal Every token, oldest first. */
export type Tokens = ReadonlyArray<StoredToken>

/** @internal */
export const empty: Tokens = []

/** @internal The path of the page a token's `url` opens. */
export const acceptPath = "/v1/tickets/accept"

// Clerk's defaults: one hour to accept the ticket, sessions of 30 minutes at most.
const defaultExpiresInSeconds = 3600
const defaultSessionMaxDurationInSeconds = 1800

/** @internal What `create` needs besides the clock: the checked params, and the random id and ticket. */
export interface CreateInput {
  readonly params: ActorToken.CreateActorTokenParams
  readonly id: string
  readonly ticket: string
  /** The emulator's base URL, the origin of the ticket `url`. */
  readonly baseUrl: string
}

/** @internal Adds a `pending` token, stamped `now`. */
export const create = (tokens: Tokens, now: number, input: CreateInput): readonly [StoredToken, Tokens] => {
  const { baseUrl, id, params, ticket } = input
  const token = new StoredToken({
    object: "actor_token",
    id: Ids.ActorTokenId.make(id),
    status: "pending",
    userId: params.userId,
    actor: params.actor,
    token: Redacted.make(ticket),
    url: Redacted.make(`${baseUrl}${acceptPath}?ticket=${encodeURIComponent(ticket)}`),
    createdAt: now,
    updatedAt: now,
    // A lifetime so long that the expiry is no longer a safe integer never ends: clamp it, rather than fail the `Int`
    // check of `expiresAt` and answer 500 to valid params.
    expiresAt: Math.min(now + (params.expiresInSeconds ?? defaultExpiresInSeconds) * 1000, Number.MAX_SAFE_INTEGER),
    sessionMaxDurationInSeconds: params.sessionMaxDurationInSeconds ?? defaultSessionMaxDurationInSeconds
  })
  return [token, [...tokens, token]]
}

/** @internal Why a token could not be revoked: no token has the id, or it is no longer pending. */
export type RevokeRefused =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotPending"; readonly status: ActorToken.ActorTokenStatus }

const replace = (tokens: Tokens, index: number, token: StoredToken): Tokens =>
  tokens.map((t, i) => i === index ? token : t)

/** @internal `pending` → `revoked`; any other status is refused and changes nothing. */
export const revoke = (
  tokens: Tokens,
  now: number,
  id: string
): readonly [Either.Either<StoredToken, RevokeRefused>, Tokens] => {
  const index = tokens.findIndex((t) => t.id === id)
  const current = tokens[index]
  if (current === undefined) return [Either.left({ _tag: "NotFound" }), tokens]
  if (current.status !== "pending") return [Either.left({ _tag: "NotPending", status: current.status }), tokens]
  const revoked = new StoredToken({ ...current, status: "revoked", updatedAt: now })
  return [Either.right(revoked), replace(tokens, index, revoked)]
}

/** @internal Which token to accept: by its id (the inspection API), or by its ticket (opening its `url`). */
export type AcceptBy = { readonly id: string } | { readonly ticket: string }

/** @internal Why a ticket was refused: the data of a `TicketRejected`. */
export interface Rejection {
  readonly reason: TicketRejected["reason"]
  readonly message: string
}

const rejection = (reason: Rejection["reason"], message: string): Either.Either<never, Rejection> =>
  Either.left({ reason, message })

/**
 * @internal What opening a token's `url` does: `pending` → `accepted`, unless the token is used, revoked or expired
 * (`now` at or past `expiresAt`; it stays `pending`, as Clerk has no `expired` status).
 */
export const accept = (
  tokens: Tokens,
  now: number,
  by: AcceptBy
): readonly [Either.Either<StoredToken, Rejection>, Tokens] => {
  const index = "id" in by
    ? tokens.findIndex((t) => t.id === by.id)
    : tokens.findIndex((t) => t.token != null && Redacted.value(t.token) === by.ticket)
  const current = tokens[index]
  if (current === undefined) {
    return [rejection("NotFound", `No actor token matches ${"id" in by ? `the id ${by.id}` : "this ticket"}.`), tokens]
  }
  if (current.status === "accepted") return [rejection("AlreadyAccepted", "This ticket has already been used."), tokens]
  if (current.status === "revoked") return [rejection("Revoked", "This ticket has been revoked."), tokens]
  if (now >= current.expiresAt) return [rejection("Expired", "This ticket has expired."), tokens]
  const accepted = new StoredToken({ ...current, status: "accepted", updatedAt: now })
  return [Either.right(accepted), replace(tokens, index, accepted)]
}
