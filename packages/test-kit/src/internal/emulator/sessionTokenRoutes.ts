/**
 * The HTTP face of session tokens: minting one for a session (`POST /v1/sessions/:session_id/tokens`) and publishing
 * the key set that verifies them (`GET /v1/jwks`, and `/.well-known/jwks.json` for the Frontend API). The router
 * mounts these behind its usual checks; the claims are `sessionTokens.ts`'s, the signing `signingKey.ts`'s.
 */
import { SessionToken } from "@effect-clerk/schema"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Emulator from "../../Emulator.js"
import { checkSessionTokenBody } from "../validate.js"
import * as Wire from "../wire.js"
import type * as Sessions from "./sessions.js"
import * as SessionTokens from "./sessionTokens.js"
import * as SigningKey from "./signingKey.js"
import type * as State from "./state.js"

/** @internal What the handlers work with: the issuer, the state, and the signing key (generated on first use). */
export interface Deps {
  readonly issuer: string
  readonly run: State.Run
  readonly signingKey: Effect.Effect<Emulator.SigningKey>
}

/** @internal A session token for a session, signed; or why not (no such session, or not live now). */
export const signedToken = (
  deps: Deps,
  id: string,
  expiresInSeconds: number
): Effect.Effect<Either.Either<string, Sessions.Refused>> =>
  Effect.gen(function*() {
    const minted = yield* deps.run((s, now) =>
      [SessionTokens.mint(s.sessions, now, id, { issuer: deps.issuer, expiresInSeconds }), s] as const
    )
    if (Either.isLeft(minted)) return Either.left(minted.left)
    const key = yield* deps.signingKey
    return Either.right(SigningKey.sign(key.privateKey, SessionTokens.header(key.kid), minted.right))
  })

type Handler = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext
>

/** @internal The handlers: `create` for the token route, `jwks` for both key-set routes. */
export const make = (deps: Deps): { readonly create: Handler; readonly jwks: Handler } => ({
  create: Effect.gen(function*() {
    const id = (yield* HttpRouter.params)["session_id"] ?? ""
    const request = yield* HttpServerRequest.HttpServerRequest
    const checked = checkSessionTokenBody(yield* Effect.orElseSucceed(request.text, () => ""))
    if (Either.isLeft(checked)) return yield* Wire.errorResponse(checked.left.status, checked.left.errors)
    const expiresInSeconds = checked.right.expiresInSeconds ?? SessionToken.defaultExpiresInSeconds
    const signed = yield* signedToken(deps, id, expiresInSeconds)
    return yield* Either.match(signed, {
      onLeft: (refused) =>
        refused._tag === "NotFound"
          ? Wire.errorResponse(404, [Wire.errors.resourceNotFound()])
          : Wire.errorResponse(400, [Wire.errors.sessionTokenNotActive(refused.status)]),
      onRight: Wire.sessionTokenResponse
    })
  }),
  jwks: Effect.flatMap(deps.signingKey, (key) => Wire.jwksResponse({ keys: [SigningKey.jwk(key)] }))
})
