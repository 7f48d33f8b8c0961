/**
 * Session tokens as the emulator mints them for `POST /v1/sessions/{id}/tokens`: the v2 claims of a live session at
 * `now`, and the header. Pure: the clock, the issuer and the lifetime are inputs; signing is `signingKey.ts`'s.
 */
import type { Session } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Sessions from "./sessions.js"

// The `cat` header of Clerk's session tokens (machine tokens carry another).
const sessionTokenCategory = "cl_B7d4PD111AAA"

// How long before `iat` a token is already valid, in seconds, as in Clerk's own tokens.
const notBeforeSkewSeconds = 10

/** @internal The claims of a minted token. `act` is there only for an impersonation: the session's actor, verbatim. */
export interface Claims {
  readonly sub: string
  readonly sid: string
  readonly iss: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
  readonly v: 2
  readonly sts: Session.SessionStatus
  readonly act?: Readonly<Record<string, unknown>>
}

/** @internal What minting needs besides the session and the clock. */
export interface MintInput {
  /** The emulator's base URL: the `iss` of its tokens. */
  readonly issuer: string
  readonly expiresInSeconds: number
}

/** @internal The header of a token signed with the key named `kid`. */
export const header = (kid: string): Readonly<Record<string, string>> => ({
  alg: "RS256",
  typ: "JWT",
  kid,
  cat: sessionTokenCategory
})

/** @internal The claims of a token for this session at `now` (Unix milliseconds, read as whole seconds). */
export const claims = (session: Session.Session, now: number, input: MintInput): Claims => {
  const iat = Math.floor(now / 1000)
  return {
    sub: session.userId,
    sid: session.id,
    iss: input.issuer,
    iat,
    nbf: iat - notBeforeSkewSeconds,
    exp: iat + input.expiresInSeconds,
    v: 2,
    sts: session.status,
    ...(session.actor === null ? {} : { act: session.actor })
  }
}

/**
 * @internal The claims of a token for the session with this id, if it is live (`active` or `pending`) at `now`;
 * else why not: no such session, or its status now.
 */
export const mint = (
  sessions: Sessions.Sessions,
  now: number,
  id: string,
  input: MintInput
): Either.Either<Claims, Sessions.Refused> =>
  Option.match(Sessions.find(sessions, now, id), {
    onNone: () => Either.left({ _tag: "NotFound" } as const),
    onSome: (session) =>
      session.status === "active" || session.status === "pending"
        ? Either.right(claims(session, now, input))
        : Either.left({ _tag: "NotActive", status: session.status } as const)
  })
