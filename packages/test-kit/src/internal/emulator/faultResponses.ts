/**
 * What an injected fault puts on the wire in place of (or after) the normal response: a status, a proxy's HTML page,
 * a broken body, a reset connection or no answer at all.
 */
import { ActorToken, Ids, Jwks, Session, SessionToken } from "@effect-clerk/schema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Fault, Operation } from "../../Emulator.js"
import { ConnectionReset } from "../../EmulatorModel.js"
import * as InternalRandom from "../random.js"
import * as Wire from "../wire.js"
import * as Pages from "./pages.js"
import * as Sessions from "./sessions.js"
import { currentMillis } from "./state.js"
import * as Tokens from "./tokens.js"

const { $match } = Data.taggedEnum<Fault>()

const bodyText = (response: HttpServerResponse.HttpServerResponse): Option.Option<string> =>
  response.body._tag === "Uint8Array" ? Option.some(new TextDecoder().decode(response.body.body)) : Option.none()

// What the operation answers, to truncate or reshape when a fault replaces a request that was not processed: a token,
// a session, a page of sessions, a session token or a key set.
const sampleJson = (operation: Operation, baseUrl: string): Effect.Effect<string> =>
  Effect.gen(function*() {
    if (operation === "createSessionToken") {
      return Wire.jsonString(
        SessionToken.SessionToken,
        new SessionToken.SessionToken({ jwt: Redacted.make("emulator.sample.token") })
      )
    }
    if (operation === "getJwks") return Wire.jsonString(Jwks.Jwks, { keys: [] })
    const now = yield* currentMillis
    const [token] = Tokens.create(Tokens.empty, now, {
      params: ActorToken.CreateActorTokenParams.make({
        userId: Ids.UserId.make("user_emulator_sample"),
        actor: { sub: "user_emulator_sample_actor" }
      }),
      id: yield* InternalRandom.actorTokenId,
      ticket: yield* InternalRandom.ticket,
      baseUrl
    })
    if (operation === "create" || operation === "revoke") return Wire.jsonString(ActorToken.ActorToken, token)
    const [session] = Sessions.start(Sessions.empty, now, {
      token,
      sessionId: yield* InternalRandom.sessionId,
      clientId: yield* InternalRandom.clientId
    })
    return operation === "listSessions"
      ? Wire.jsonString(Session.SessionList, { data: [session], totalCount: 1 })
      : Wire.jsonString(Session.Session, session)
  })

/** @internal What a fault needs to know of its request: the operation, and the emulator's base URL. */
export interface FaultedRequest {
  readonly operation: Operation
  readonly baseUrl: string
}

/**
 * @internal The response a fault gives. `processed` is the normal response when the request was processed first (the
 * `afterProcessing` faults): a broken body is then cut from the real answer (the token, the session, the page).
 */
export const respond = (
  fault: Fault,
  processed: Option.Option<HttpServerResponse.HttpServerResponse>,
  request: FaultedRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionReset> => {
  const answer = Option.match(Option.flatMap(processed, bodyText), {
    onNone: () => sampleJson(request.operation, request.baseUrl),
    onSome: Effect.succeed
  })
  return $match(fault, {
    Status: ({ status }) => Wire.errorResponse(status, [Wire.errors.internalClerkError()]),
    RateLimited: ({ httpDate, retryAfter }) =>
      Effect.flatMap(currentMillis, (now) => {
        const millis = Duration.toMillis(Duration.decode(retryAfter))
        const header = httpDate === true
          ? new Date(now + millis).toUTCString()
          : String(Math.max(0, Math.ceil(millis / 1000)))
        return Wire.errorResponse(429, [Wire.errors.tooManyRequests()], { "retry-after": header })
      }),
    HtmlPage: ({ status }) => Effect.succeed(Pages.gateway(status)),
    TruncatedJson: () =>
      Effect.map(answer, (json) =>
        HttpServerResponse.text(json.slice(0, Math.floor(json.length / 2)), {
          status: 200,
          contentType: "application/json"
        })),
    // Valid JSON, but the answer sits inside an envelope: no `id`, `status`, … at the top level, and `data` holds no
    // session (a page of sessions is wrapped whole).
    WrongShape: () =>
      Effect.map(
        answer,
        (json) => HttpServerResponse.text(`{"data":[${json}]}`, { status: 200, contentType: "application/json" })
      ),
    EmptyBody: () => Effect.succeed(HttpServerResponse.empty({ status: 200 })),
    ConnectionReset: () => Effect.fail(new ConnectionReset()),
    Stall: () => Effect.never
  })
}
