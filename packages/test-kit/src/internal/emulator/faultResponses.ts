/**
 * What an injected fault puts on the wire in place of (or after) the normal response: a status, a proxy's HTML page,
 * a broken body, a reset connection or no answer at all.
 */
import { ActorToken, Ids } from "@effect-clerk/schema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Fault } from "../../Emulator.js"
import * as InternalRandom from "../random.js"
import * as Wire from "../wire.js"
import * as Pages from "./pages.js"
import { currentMillis } from "./state.js"
import * as Tokens from "./tokens.js"

/**
 * The emulator's HTTP app fails with this when the connection must be reset: the adapters turn it into a reset
 * connection (a destroyed socket, or a transport error carrying `code: "ECONNRESET"` in memory).
 *
 * Exported as `Emulator.ConnectionReset`; declared here, where faults produce it, so that the emulator's modules
 * import each other without a cycle.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionReset extends Schema.TaggedError<ConnectionReset>()("ConnectionReset", {}) {}

const { $match } = Data.taggedEnum<Fault>()

const bodyText = (response: HttpServerResponse.HttpServerResponse): Option.Option<string> =>
  response.body._tag === "Uint8Array" ? Option.some(new TextDecoder().decode(response.body.body)) : Option.none()

// A token to truncate or reshape when a fault replaces a request that created nothing.
const sampleTokenJson = (baseUrl: string): Effect.Effect<string> =>
  Effect.gen(function*() {
    const now = yield* currentMillis
    const ticket = yield* InternalRandom.ticket
    const [token] = Tokens.create(Tokens.empty, now, {
      params: ActorToken.CreateActorTokenParams.make({
        userId: Ids.UserId.make("user_emulator_sample"),
        actor: { sub: "user_emulator_sample_actor" }
      }),
      id: yield* InternalRandom.actorTokenId,
      ticket,
      baseUrl
    })
    return Wire.actorTokenJsonString(token)
  })

/**
 * @internal The response a fault gives. `processed` is the normal response when the request was processed first (the
 * `afterProcessing` faults): a broken body is then cut from the real token.
 */
export const respond = (
  fault: Fault,
  processed: Option.Option<HttpServerResponse.HttpServerResponse>,
  baseUrl: string
): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionReset> => {
  const tokenJson = Option.match(Option.flatMap(processed, bodyText), {
    onNone: () => sampleTokenJson(baseUrl),
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
      Effect.map(tokenJson, (json) =>
        HttpServerResponse.text(json.slice(0, Math.floor(json.length / 2)), {
          status: 200,
          contentType: "application/json"
        })),
    // Valid JSON, but the token sits inside an envelope: no `id`, `status`, … at the top level.
    WrongShape: () =>
      Effect.map(
        tokenJson,
        (json) => HttpServerResponse.text(`{"data":[${json}]}`, { status: 200, contentType: "application/json" })
      ),
    EmptyBody: () => Effect.succeed(HttpServerResponse.empty({ status: 200 })),
    ConnectionReset: () => Effect.fail(new ConnectionReset()),
    Stall: () => Effect.never
  })
}
