/**
 * The "Effect HTTP floor": the same POST written directly with `@effect/platform`'s `HttpClient` and `Schema` —
 * encode the params, send, check the status, decode the token — with none of the SDK's configuration, error
 * mapping, retries, timeout or rate limit. The SDK's cost and size are measured against it.
 */
import { ActorToken } from "@effect-clerk/schema"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const encodeParams = Schema.encodeUnknown(ActorToken.CreateActorTokenParams)
const decodeToken = HttpClientResponse.schemaBodyJson(ActorToken.ActorToken)
const decodeJson = Schema.decodeUnknown(Schema.parseJson(ActorToken.ActorToken))

export const floorCreate = (
  apiUrl: string,
  secretKey: string,
  params: unknown
): Effect.Effect<
  ActorToken.ActorToken,
  HttpClientError.HttpClientError | ParseResult.ParseError,
  HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const body = yield* encodeParams(params)
    const response = yield* client.execute(
      HttpClientRequest.post(`${apiUrl}/v1/actor_tokens`).pipe(
        HttpClientRequest.bearerToken(secretKey),
        HttpClientRequest.setHeaders({ "Clerk-API-Version": "2026-05-12", Accept: "application/json" }),
        HttpClientRequest.bodyUnsafeJson(body)
      )
    )
    return yield* decodeToken(yield* HttpClientResponse.filterStatusOk(response))
  })

/**
 * Probes: the floor plus one of the SDK's mechanisms, to price that mechanism on a real (loopback) call — the
 * stubbed measurements miss the cost of suspending and resuming around real I/O.
 */
export type Probe = "stream" | "timeout" | "retry"

const readByStream = (response: HttpClientResponse.HttpClientResponse) =>
  Stream.runFold(response.stream, [] as Array<Uint8Array>, (chunks, chunk) => {
    chunks.push(chunk)
    return chunks
  }).pipe(Effect.map((chunks) => Buffer.concat(chunks).toString("utf8")))

const retrySchedule = Schedule.exponential(Duration.millis(250), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(8))),
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(2))
)

export const probeCreate = (
  probe: Probe,
  apiUrl: string,
  secretKey: string,
  params: unknown
): Effect.Effect<unknown, unknown, HttpClient.HttpClient> => {
  switch (probe) {
    case "stream":
      return Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const body = yield* encodeParams(params)
        const response = yield* client.execute(
          HttpClientRequest.post(`${apiUrl}/v1/actor_tokens`).pipe(
            HttpClientRequest.bearerToken(secretKey),
            HttpClientRequest.setHeaders({ "Clerk-API-Version": "2026-05-12", Accept: "application/json" }),
            HttpClientRequest.bodyUnsafeJson(body)
          )
        )
        return yield* decodeJson(yield* readByStream(yield* HttpClientResponse.filterStatusOk(response)))
      })
    case "timeout":
      return Effect.timeoutFail(floorCreate(apiUrl, secretKey, params), {
        duration: Duration.seconds(10),
        onTimeout: () => new ParseResult.Unexpected("timeout")
      })
    case "retry":
      return Effect.retry(floorCreate(apiUrl, secretKey, params), retrySchedule)
  }
}
