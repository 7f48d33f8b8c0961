/**
 * The emulator's HTTP face: it maps each request to a transition of the state (`state.ts`) and each result to the
 * response Clerk gives. It decides nothing itself beyond the order of the checks.
 *
 * A Backend API request is counted, then meets, in this order: a fault injected before processing, the API version,
 * the secret key, the rate limit, then its operation (create: the plan, the body, the monthly quota; the session
 * list: its query), then a fault injected after processing. The ticket page stands for Clerk's Frontend API: no key,
 * no rate limit, no faults; opening it starts the session of the impersonation. `/.well-known/jwks.json` stands for
 * the Frontend API's key set the same way.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Operation, ResolvedOptions, Route, SigningKey } from "../../Emulator.js"
import type { ConnectionReset } from "../../EmulatorModel.js"
import * as InternalRandom from "../random.js"
import { checkCreateBody, checkListQuery } from "../validate.js"
import * as Wire from "../wire.js"
import * as FaultResponses from "./faultResponses.js"
import * as Guards from "./guards.js"
import * as Pages from "./pages.js"
import * as Sessions from "./sessions.js"
import * as SessionTokenRoutes from "./sessionTokenRoutes.js"
import * as State from "./state.js"
import * as Tokens from "./tokens.js"

/** @internal What the router works with: the options, and the way to run a transition on the emulator's state. */
export interface Deps {
  readonly options: ResolvedOptions
  readonly run: State.Run
  /** The key that signs session tokens, generated on first use. */
  readonly signingKey: Effect.Effect<SigningKey>
}

type Handler<R> = Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>

/** @internal The emulator's HTTP app. It fails only with `ConnectionReset`; a stall never completes. */
export const make = ({ options, run, signingKey }: Deps): HttpApp.Default<ConnectionReset> => {
  const count = (route: Route) => run((s) => [undefined, State.count(s, route)] as const)

  // API version, secret key, rate limit: each a Clerk error response, or on to the operation.
  const guarded = <R>(operation: Handler<R>): Handler<R | HttpServerRequest.HttpServerRequest> =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const versionError = Guards.checkApiVersion(request.headers["clerk-api-version"], request.url)
      if (Option.isSome(versionError)) return yield* Wire.errorResponse(400, [versionError.value])
      const authError = Guards.checkAuthentication(request.headers["authorization"], Redacted.value(options.secretKey))
      if (Option.isSome(authError)) return yield* Wire.errorResponse(401, [authError.value])
      const retryAfter = yield* run((s, now) => State.admit(s, now, options.rateLimit))
      if (Option.isSome(retryAfter)) {
        return yield* Wire.errorResponse(429, [Wire.errors.tooManyRequests()], {
          "retry-after": String(retryAfter.value)
        })
      }
      return yield* operation
    })

  const backendApi = <R>(operation: Operation, handler: Handler<R>) =>
    Effect.gen(function*() {
      yield* count(operation)
      const fault = yield* run((s) => State.takeFault(s, operation))
      if (Option.isSome(fault) && !fault.value.afterProcessing) {
        return yield* FaultResponses.respond(fault.value.fault, Option.none(), { operation, baseUrl: options.baseUrl })
      }
      const response = yield* guarded(handler)
      return Option.isSome(fault)
        ? yield* FaultResponses.respond(fault.value.fault, Option.some(response), {
          operation,
          baseUrl: options.baseUrl
        })
        : response
    })

  const create = Effect.gen(function*() {
    if (!options.impersonationOnPlan) return yield* Wire.errorResponse(402, [Wire.errors.unsupportedPlanFeatures()])
    const request = yield* HttpServerRequest.HttpServerRequest
    const checked = checkCreateBody(yield* Effect.orElseSucceed(request.text, () => ""))
    if (Either.isLeft(checked)) return yield* Wire.errorResponse(checked.left.status, checked.left.errors)
    const id = yield* InternalRandom.actorTokenId
    const ticket = yield* InternalRandom.ticket
    const created = yield* run((s, now) =>
      State.create(s, now, {
        params: checked.right,
        id,
        ticket,
        baseUrl: options.baseUrl,
        monthlyQuota: options.monthlyQuota
      })
    )
    return yield* Either.match(created, {
      onLeft: () =>
        Wire.errorResponse(422, [
          Wire.errors.impersonationLimitExceeded(Option.getOrElse(options.monthlyQuota, () => 0))
        ]),
      onRight: Wire.actorTokenResponse
    })
  })

  const revoke = Effect.gen(function*() {
    const id = (yield* HttpRouter.params)["actor_token_id"] ?? ""
    const revoked = yield* run((s, now) => State.revoke(s, now, id))
    return yield* Either.match(revoked, {
      onLeft: (refused) =>
        refused._tag === "NotFound"
          ? Wire.errorResponse(404, [Wire.errors.resourceNotFound()])
          : Wire.errorResponse(400, [Wire.errors.cannotBeRevoked(refused.status)]),
      onRight: Wire.actorTokenResponse
    })
  })

  const listSessions = Effect.gen(function*() {
    const checked = checkListQuery(yield* HttpServerRequest.ParsedSearchParams)
    if (Either.isLeft(checked)) return yield* Wire.errorResponse(422, checked.left)
    const { paginated, query } = checked.right
    const page = yield* run((s, now) => [Sessions.list(s.sessions, now, query), s] as const)
    return yield* Wire.sessionListResponse(paginated ? page : { data: page.data })
  })

  const sessionIdParam = Effect.map(HttpRouter.params, (params) => params["session_id"] ?? "")
  const sessionNotFound = Wire.errorResponse(404, [Wire.errors.resourceNotFound()])

  const getSession = Effect.gen(function*() {
    const id = yield* sessionIdParam
    const found = yield* run((s, now) => [Sessions.find(s.sessions, now, id), s] as const)
    return yield* Option.match(found, { onNone: () => sessionNotFound, onSome: Wire.sessionResponse })
  })

  const revokeSession = Effect.gen(function*() {
    const id = yield* sessionIdParam
    const revoked = yield* run((s, now) => State.revokeSession(s, now, id))
    return yield* Either.match(revoked, {
      onLeft: (refused) =>
        refused._tag === "NotFound"
          ? sessionNotFound
          : Wire.errorResponse(400, [Wire.errors.sessionNotActive(refused.status)]),
      onRight: Wire.sessionResponse
    })
  })

  const acceptPage = Effect.gen(function*() {
    yield* count("accept")
    const raw = (yield* HttpServerRequest.ParsedSearchParams)["ticket"]
    const ticket = Array.isArray(raw) ? raw[0] : raw
    if (ticket === undefined || ticket === "") return Pages.noTicket
    const sessionId = yield* InternalRandom.sessionId
    const clientId = yield* InternalRandom.clientId
    const accepted = yield* run((s, now) => State.accept(s, now, { by: { ticket }, sessionId, clientId }))
    return Either.match(accepted, { onLeft: Pages.rejected, onRight: Pages.signedIn })
  })

  const sessionTokens = SessionTokenRoutes.make({ issuer: options.baseUrl, run, signingKey })

  return HttpRouter.empty.pipe(
    HttpRouter.post("/v1/actor_tokens", backendApi("create", create)),
    HttpRouter.post("/v1/actor_tokens/:actor_token_id/revoke", backendApi("revoke", revoke)),
    HttpRouter.get("/v1/sessions", backendApi("listSessions", listSessions)),
    HttpRouter.get("/v1/sessions/:session_id", backendApi("getSession", getSession)),
    HttpRouter.post("/v1/sessions/:session_id/revoke", backendApi("revokeSession", revokeSession)),
    HttpRouter.post("/v1/sessions/:session_id/tokens", backendApi("createSessionToken", sessionTokens.create)),
    HttpRouter.get("/v1/jwks", backendApi("getJwks", sessionTokens.jwks)),
    HttpRouter.get(Tokens.acceptPath, acceptPage),
    HttpRouter.get("/.well-known/jwks.json", Effect.zipRight(count("wellKnownJwks"), sessionTokens.jwks)),
    Effect.catchTag(
      "RouteNotFound",
      () => Effect.zipRight(count("unmatched"), Wire.errorResponse(404, [Wire.errors.resourceNotFound()]))
    ),
    Effect.catchAllDefect(() => Wire.errorResponse(500, [Wire.errors.internalClerkError()]))
  )
}
