import { SessionClaims } from "@effect-clerk/schema"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as SessionToken from "../SessionToken.js"

/** @internal */
export const sessionCookie = "__session"

const bearerPattern = /^Bearer\s+(\S.*?)\s*$/i

/**
 * The Bearer token of the `Authorization` header; a header with another scheme, or an empty token, is no credential.
 *
 * @internal
 */
const bearerToken = (request: HttpServerRequest.HttpServerRequest): Option.Option<Redacted.Redacted<string>> =>
  Option.map(Option.fromNullable(bearerPattern.exec(request.headers["authorization"] ?? "")?.[1]), Redacted.make)

/**
 * The `__session` cookie, when it is not empty.
 *
 * @internal
 */
const cookieToken = (request: HttpServerRequest.HttpServerRequest): Option.Option<Redacted.Redacted<string>> => {
  const value = request.cookies[sessionCookie]
  return value === undefined || value === "" ? Option.none() : Option.some(Redacted.make(value))
}

type Outcome = Exit.Exit<SessionClaims.SessionClaims, SessionToken.Reason>

// One decision per request and verifier, shared by every middleware that asks: the two security schemes of an
// `HttpApi` middleware and an endpoint's `NoImpersonation` then cost one verification, whatever order they run in.
const decisions = new WeakMap<SessionToken.Verifier.Service, WeakMap<HttpServerRequest.HttpServerRequest, Outcome>>()

const decide = (
  verifier: SessionToken.Verifier.Service,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<SessionClaims.SessionClaims, SessionToken.Reason> => {
  // A Bearer token is what the client chose to send: when present it decides alone, so a refused token is never
  // rescued by a browser cookie of possibly another user.
  const token = Option.orElse(bearerToken(request), () => cookieToken(request))
  if (Option.isNone(token)) return Effect.fail("token-missing")
  return verifier.verify(token.value).pipe(
    Effect.mapError((error) => error.reason),
    Effect.tapError((reason) =>
      Effect.logDebug("Clerk session token refused").pipe(Effect.annotateLogs("clerk.auth.reason", reason))
    )
  )
}

/**
 * Verifies the request's credential once: the `Authorization: Bearer` token when there is one, the `__session`
 * cookie otherwise. Fails with the reason the token was refused, `"token-missing"` without a credential.
 *
 * @internal
 */
export const authenticate = (
  verifier: SessionToken.Verifier.Service,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<SessionClaims.SessionClaims, SessionToken.Reason> =>
  Effect.suspend(() => {
    let byRequest = decisions.get(verifier)
    if (byRequest === undefined) {
      byRequest = new WeakMap()
      decisions.set(verifier, byRequest)
    }
    const known = byRequest.get(request)
    if (known !== undefined) return known
    const cache = byRequest
    return Effect.onExit(decide(verifier, request), (exit) =>
      Exit.isInterrupted(exit) ? Effect.void : Effect.sync(() => cache.set(request, exit)))
  })

/**
 * The audit attributes of a session: user and session always, the actor's `sub` (and `type`, when it has one) when
 * someone acts for the user. Identifiers only, never a credential.
 *
 * @internal
 */
export const attributes = (session: SessionClaims.SessionClaims): Record<string, string> => {
  const attributes: Record<string, string> = {
    "clerk.user.id": session.userId,
    "clerk.session.id": session.sessionId
  }
  if (Option.isSome(session.actor)) {
    attributes["clerk.actor.sub"] = session.actor.value.sub
    const type = session.actor.value["type"]
    if (typeof type === "string") attributes["clerk.actor.type"] = type
  }
  return attributes
}

const addAll = (attributes: Record<string, string>) => (map: HashMap.HashMap<string, unknown>) =>
  Object.entries(attributes).reduce((acc, [key, value]) => HashMap.set(acc, key, value), map)

/**
 * Puts the session's audit attributes on the request's span, on every span opened later in the request, and on every
 * log line, until the request's scope closes.
 *
 * @internal
 */
export const annotate = (session: SessionClaims.SessionClaims): Effect.Effect<void, never, Scope.Scope> => {
  const values = attributes(session)
  return Effect.all([
    Effect.annotateCurrentSpan(values),
    Effect.locallyScopedWith(FiberRef.currentLogAnnotations, addAll(values)),
    Effect.locallyScopedWith(FiberRef.currentTracerSpanAnnotations, addAll(values))
  ], { discard: true })
}

/**
 * Who acts for the user in a way the options refuse: `"impersonator"` for a person, `"agent"` for an AI agent unless
 * agents are allowed; `None` when nobody does or the actor is allowed.
 *
 * @internal
 */
export const refusedActor = (
  session: SessionClaims.SessionClaims,
  options: { readonly allowAgents?: boolean | undefined } | undefined
): Option.Option<"impersonator" | "agent"> =>
  SessionClaims.isAgent(session)
    ? (options?.allowAgents === true ? Option.none() : Option.some("agent"))
    : SessionClaims.isImpersonated(session)
    ? Option.some("impersonator")
    : Option.none()
