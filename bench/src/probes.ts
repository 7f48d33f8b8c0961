/**
 * Probes: the Effect HTTP floor (floor.ts) plus one mechanism, to price that mechanism on a real (loopback) call —
 * the stubbed measurements miss the cost of suspending and resuming around real I/O. Each of the client's own
 * mechanisms (mechanisms.ts) has a probe, and so has the Effect built-in it replaced, side by side.
 */
import { ActorToken } from "@effect-clerk/schema"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { floorCreate, floorResponse } from "./floor.js"
import { readBody, readStream, retryAfterFailure, timeoutFail } from "./mechanisms.js"

const decodeJson = Schema.decodeUnknown(Schema.parseJson(ActorToken.ActorToken))

export type Probe = "stream" | "body-loop" | "timeout" | "timeout-client" | "retry" | "retry-client"

const retrySchedule = Schedule.exponential(Duration.millis(250), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(8))),
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(2))
)

const timeout = Duration.seconds(10)
const onTimeout = () => new ParseResult.Unexpected("timeout")

const readWith = (
  read: (
    response: HttpClientResponse.HttpClientResponse
  ) => Effect.Effect<{ readonly text: string }, HttpClientError.ResponseError>,
  apiUrl: string,
  secretKey: string,
  params: unknown
) =>
  Effect.flatMap(
    floorResponse(apiUrl, secretKey, params),
    (response) => Effect.flatMap(read(response), (body) => decodeJson(body.text))
  )

export const probeCreate = (
  probe: Probe,
  apiUrl: string,
  secretKey: string,
  params: unknown
): Effect.Effect<unknown, unknown, HttpClient.HttpClient> => {
  switch (probe) {
    case "stream":
      return readWith(readStream, apiUrl, secretKey, params)
    case "body-loop":
      return readWith(readBody, apiUrl, secretKey, params)
    case "timeout":
      return Effect.timeoutFail(floorCreate(apiUrl, secretKey, params), { duration: timeout, onTimeout })
    case "timeout-client":
      return timeoutFail(floorCreate(apiUrl, secretKey, params), timeout, Duration.toMillis(timeout), onTimeout)
    case "retry":
      return Effect.retry(floorCreate(apiUrl, secretKey, params), retrySchedule)
    case "retry-client":
      return retryAfterFailure(floorCreate(apiUrl, secretKey, params), retrySchedule)
  }
}
