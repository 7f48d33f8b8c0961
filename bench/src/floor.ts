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
import * as Effect from "effect/Effect"
import type { ParseError } from "effect/ParseResult"
import * as Schema from "effect/Schema"

const encodeParams = Schema.encodeUnknown(ActorToken.CreateActorTokenParams)
const decodeToken = HttpClientResponse.schemaBodyJson(ActorToken.ActorToken)

/** Encode, send, check the status: the floor up to the body read. */
const floorResponse = (
  apiUrl: string,
  secretKey: string,
  params: unknown
): Effect.Effect<
  HttpClientResponse.HttpClientResponse,
  HttpClientError.HttpClientError | ParseError,
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
    return yield* HttpClientResponse.filterStatusOk(response)
  })

export const floorCreate = (
  apiUrl: string,
  secretKey: string,
  params: unknown
): Effect.Effect<
  ActorToken.ActorToken,
  HttpClientError.HttpClientError | ParseError,
  HttpClient.HttpClient
> => Effect.flatMap(floorResponse(apiUrl, secretKey, params), decodeToken)
