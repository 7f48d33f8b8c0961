/**
 * Clerk sessions on every request of an `@effect/platform` HTTP app: verify the session token (the `Authorization:
 * Bearer` header, or the `__session` cookie), give handlers the {@link CurrentSession}, refuse sensitive actions while
 * someone acts for the user, and put the actor on the request's logs and spans.
 *
 * - `HttpApi` apps declare the {@link ClerkAuth} middleware (implemented by {@link layer}) and, on sensitive
 *   endpoints, {@link NoImpersonation} (implemented by {@link layerNoImpersonation}) or {@link forbidImpersonation}
 *   in the handler.
 * - `HttpRouter` apps wrap their routes in {@link middleware}; {@link Unauthorized} and {@link ImpersonationForbidden}
 *   answer 401 and 403 by themselves.
 *
 * When the request carries a Bearer token, that token alone decides: a refused Bearer token is 401 even beside a
 * valid cookie. Without one, the `__session` cookie decides. An empty credential, or an `Authorization` header of
 * another scheme, counts as missing.
 *
 * @since 0.1.0
 */
import type { SessionClaims } from "@effect-clerk/schema"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/clerkAuth.js"
import * as SessionToken from "./SessionToken.js"

/**
 * The request has no verified Clerk session: 401. `reason` is Clerk's reason string (`"token-missing"` without a
 * credential, `"token-expired"`, …); the body is `{ "_tag": "Unauthorized", "reason": … }` and never holds any part
 * of the token.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { reason: SessionToken.Reason },
  HttpApiSchema.annotations({ status: 401, description: "No verified Clerk session" })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `No verified Clerk session (${this.reason})`
  }

  /**
   * The 401 response, for apps without `HttpApi`.
   *
   * @since 0.1.0
   */
  [HttpServerRespondable.symbol](): Effect.Effect<HttpServerResponse.HttpServerResponse, HttpBody.HttpBodyError> {
    return HttpServerResponse.schemaJson(Unauthorized)(this, { status: 401 })
  }
}

/**
 * A sensitive action was refused because someone acts for the user: 403. `actor` says who — `"impersonator"` (a
 * person, e.g. support) or `"agent"` (an AI agent) — and nothing else: the impersonator's and the session's ids go to
 * the server's logs and spans, not to the client. The body is `{ "_tag": "ImpersonationForbidden", "actor": … }`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ImpersonationForbidden extends Schema.TaggedError<ImpersonationForbidden>()(
  "ImpersonationForbidden",
  { actor: Schema.Literal("impersonator", "agent") },
  HttpApiSchema.annotations({ status: 403, description: "Not allowed while someone acts for the user" })
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Not allowed while ${this.actor === "agent" ? "an agent" : "an impersonator"} acts for the user`
  }

  /**
   * The 403 response, for apps without `HttpApi`.
   *
   * @since 0.1.0
   */
  [HttpServerRespondable.symbol](): Effect.Effect<HttpServerResponse.HttpServerResponse, HttpBody.HttpBodyError> {
    return HttpServerResponse.schemaJson(ImpersonationForbidden)(this, { status: 403 })
  }
}

/**
 * The verified session of the request, provided by {@link ClerkAuth} and {@link middleware}: handlers
 * `yield* ClerkAuth.CurrentSession`.
 *
 * @since 0.1.0
 * @category tags
 */
export class CurrentSession extends Context.Tag("@effect-clerk/auth/ClerkAuth/CurrentSession")<
  CurrentSession,
  SessionClaims.SessionClaims
>() {}

/**
 * The `HttpApi` middleware that requires a Clerk session: two security schemes, `clerkBearer` (`Authorization:
 * Bearer <token>`) and `clerkSession` (the `__session` cookie), failing with {@link Unauthorized} and providing
 * {@link CurrentSession}. Declare it on an `HttpApi`, a group or an endpoint; {@link layer} implements it.
 *
 * @example
 * ```ts
 * import { ClerkAuth } from "@effect-clerk/auth"
 * import { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 * import { Schema } from "effect"
 *
 * class Account extends HttpApiGroup.make("account")
 *   .add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.Struct({ userId: Schema.String })))
 *   .add(
 *     HttpApiEndpoint.del("close", "/account")
 *       .addSuccess(Schema.Void)
 *       .middleware(ClerkAuth.NoImpersonation)
 *   )
 *   .middleware(ClerkAuth.ClerkAuth)
 * {}
 *
 * class Api extends HttpApi.make("api").add(Account) {}
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export class ClerkAuth extends HttpApiMiddleware.Tag<ClerkAuth>()("@effect-clerk/auth/ClerkAuth", {
  failure: Unauthorized,
  provides: CurrentSession,
  security: {
    clerkBearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "A Clerk session token"),
      HttpApiSecurity.annotate(OpenApi.Format, "JWT")
    ),
    clerkSession: HttpApiSecurity.apiKey({ in: "cookie", key: internal.sessionCookie }).pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "A Clerk session token in the __session cookie")
    )
  }
}) {}

/**
 * What {@link forbidImpersonation} and {@link layerNoImpersonation} refuse: every actor by default; with
 * `allowAgents`, a person impersonating only, while an AI agent (`act.type: "agent"`) may proceed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ForbidImpersonationOptions {
  readonly allowAgents?: boolean | undefined
}

/**
 * The `HttpApi` middleware for sensitive endpoints: {@link ImpersonationForbidden} (403) when someone acts for the
 * user, {@link Unauthorized} (401) without a verified session. Declare it on the endpoint (`.middleware(...)`), beside
 * {@link ClerkAuth}; {@link layerNoImpersonation} implements it. The request's token is verified once for both.
 *
 * @example
 * ```ts
 * import { ClerkAuth } from "@effect-clerk/auth"
 * import { HttpApiEndpoint } from "@effect/platform"
 * import { Schema } from "effect"
 *
 * const closeAccount = HttpApiEndpoint.del("close", "/account")
 *   .addSuccess(Schema.Void)
 *   .middleware(ClerkAuth.NoImpersonation)
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export class NoImpersonation extends HttpApiMiddleware.Tag<NoImpersonation>()(
  "@effect-clerk/auth/ClerkAuth/NoImpersonation",
  { failure: Schema.Union(Unauthorized, ImpersonationForbidden) }
) {}

const authenticated = (
  verifier: SessionToken.Verifier.Service
): Effect.Effect<SessionClaims.SessionClaims, Unauthorized, HttpServerRequest.HttpServerRequest | Scope.Scope> =>
  HttpServerRequest.HttpServerRequest.pipe(
    Effect.flatMap((request) => internal.authenticate(verifier, request)),
    Effect.mapError((reason) => new Unauthorized({ reason })),
    Effect.tap(internal.annotate)
  )

const refuse = (
  session: SessionClaims.SessionClaims,
  options: ForbidImpersonationOptions | undefined
): Effect.Effect<void, ImpersonationForbidden> =>
  Option.match(internal.refusedActor(session, options), {
    onNone: () => Effect.void,
    onSome: (actor) =>
      Effect.logWarning("Refused a sensitive action while someone acts for the user").pipe(
        Effect.annotateLogs(internal.attributes(session)),
        Effect.zipRight(new ImpersonationForbidden({ actor }))
      )
  })

/**
 * Implements {@link ClerkAuth} with the {@link SessionToken.Verifier}. Every authenticated request's span, child spans
 * and log lines carry `clerk.user.id` and `clerk.session.id`, plus `clerk.actor.sub` (and `clerk.actor.type`) when
 * someone acts for the user.
 *
 * @example
 * ```ts
 * import { ClerkAuth, SessionToken } from "@effect-clerk/auth"
 * import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 * import { Effect, Layer, Schema } from "effect"
 *
 * class Account extends HttpApiGroup.make("account")
 *   .add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.String))
 *   .middleware(ClerkAuth.ClerkAuth)
 * {}
 * class Api extends HttpApi.make("api").add(Account) {}
 *
 * const AccountLive = HttpApiBuilder.group(Api, "account", (handlers) =>
 *   handlers.handle("me", () => Effect.map(ClerkAuth.CurrentSession, (session) => session.userId)))
 *
 * declare const VerifierLive: Layer.Layer<SessionToken.Verifier>
 *
 * const ApiLive = HttpApiBuilder.api(Api).pipe(
 *   Layer.provide(AccountLive),
 *   Layer.provide(ClerkAuth.layer),
 *   Layer.provide(VerifierLive)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ClerkAuth, never, SessionToken.Verifier> = Layer.effect(
  ClerkAuth,
  Effect.map(SessionToken.Verifier, (verifier) => {
    // Both schemes give the one decision for the request (the Bearer token when present, else the cookie): the
    // platform tries them in turn, and a good cookie must not rescue a refused Bearer token.
    const session = authenticated(verifier)
    return ClerkAuth.of({ clerkBearer: () => session, clerkSession: () => session })
  })
)

/**
 * Implements {@link NoImpersonation}: refuses every actor, or with `allowAgents` a person impersonating only. It
 * verifies the request itself when it runs before {@link ClerkAuth} (an endpoint's middleware runs before its
 * group's), sharing the one verification.
 *
 * @example
 * ```ts
 * import { ClerkAuth, SessionToken } from "@effect-clerk/auth"
 * import { Layer } from "effect"
 *
 * declare const VerifierLive: Layer.Layer<SessionToken.Verifier>
 *
 * const AuthLive = Layer.mergeAll(ClerkAuth.layer, ClerkAuth.layerNoImpersonation({ allowAgents: true })).pipe(
 *   Layer.provide(VerifierLive)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNoImpersonation = (
  options?: ForbidImpersonationOptions
): Layer.Layer<NoImpersonation, never, SessionToken.Verifier> =>
  Layer.effect(
    NoImpersonation,
    Effect.map(
      SessionToken.Verifier,
      (verifier) => NoImpersonation.of(Effect.flatMap(authenticated(verifier), (session) => refuse(session, options)))
    )
  )

/**
 * Fails with {@link ImpersonationForbidden} when someone acts for the user of the {@link CurrentSession}: every
 * actor by default, a person impersonating only with `allowAgents`. For handlers of sensitive endpoints; declare
 * `.addError(ClerkAuth.ImpersonationForbidden)` on an `HttpApi` endpoint to answer 403 (an `HttpRouter` app answers
 * 403 by itself). A refusal is logged as a warning with the session's audit attributes.
 *
 * @example
 * ```ts
 * import { ClerkAuth } from "@effect-clerk/auth"
 * import { Effect } from "effect"
 *
 * const transferFunds = Effect.gen(function*() {
 *   yield* ClerkAuth.forbidImpersonation()
 *   const session = yield* ClerkAuth.CurrentSession
 *   return `transferred for ${session.userId}`
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const forbidImpersonation: (
  options?: ForbidImpersonationOptions
) => Effect.Effect<void, ImpersonationForbidden, CurrentSession> = Effect.fn("ClerkAuth.forbidImpersonation")(
  function*(options?: ForbidImpersonationOptions) {
    yield* refuse(yield* CurrentSession, options)
  }
)

/**
 * The same for apps without `HttpApi`: an `HttpMiddleware` that verifies the request's session token with the
 * {@link SessionToken.Verifier}, answers 401 ({@link Unauthorized}'s body) itself when there is none, and otherwise
 * runs the app with {@link CurrentSession} and the audit attributes on its logs and spans.
 *
 * @example
 * ```ts
 * import { ClerkAuth } from "@effect-clerk/auth"
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.get("/me", Effect.map(ClerkAuth.CurrentSession, (session) => HttpServerResponse.text(session.userId))),
 *   HttpRouter.post(
 *     "/transfer",
 *     Effect.as(ClerkAuth.forbidImpersonation(), HttpServerResponse.text("done"))
 *   ),
 *   HttpRouter.use(ClerkAuth.middleware)
 * )
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(
  app: HttpApp.Default<E, R>
): HttpApp.Default<
  E,
  Exclude<R, CurrentSession> | SessionToken.Verifier | HttpServerRequest.HttpServerRequest | Scope.Scope
> =>
  Effect.flatMap(SessionToken.Verifier, (verifier) =>
    Effect.matchEffect(authenticated(verifier), {
      onFailure: HttpServerRespondable.toResponse,
      onSuccess: (session) => Effect.provideService(app, CurrentSession, session)
    }))
