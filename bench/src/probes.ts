/**
 * Probes: the Effect HTTP floor (floor.ts) plus one of the SDK's mechanisms, to price that mechanism on a real
 * (loopback) call — the stubbed measurements miss the cost of suspending and resuming around real I/O.
 */
import { ActorToken } from "@effect-clerk/schema"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { floorCreate, floorResponse } from "./floor.js"

const decodeJson = Schema.decodeUnknown(Schema.parseJson(ActorToken.ActorToken))

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
      return Effect.flatMap(
        floorResponse(apiUrl, secretKey, params),
        (response) => Effect.flatMap(readByStream(response), decodeJson)
      )
    case "timeout":
      return Effect.timeoutFail(floorCreate(apiUrl, secretKey, params), {
        duration: Duration.seconds(10),
        onTimeout: () => new ParseResult.Unexpected("timeout")
      })
    case "retry":
      return Effect.retry(floorCreate(apiUrl, secretKey, params), retrySchedule)
  }
}
