/**
 * The thin adapters between the emulator's HTTP app and its two transports: web `Request`s in, web `Response`s
 * out. In memory the `Request` is built from an `HttpClientRequest`; on loopback from a `node:http` request.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Service } from "../Emulator.js"
import type { ConnectionReset } from "../EmulatorModel.js"

/** @internal Runs the app for one request. A stall never completes; a reset fails with `ConnectionReset`. */
export const respond = (
  emulator: Service,
  request: Request,
  remoteAddress?: string
): Effect.Effect<Response, ConnectionReset> =>
  emulator.httpApp.pipe(
    Effect.provideService(
      HttpServerRequest.HttpServerRequest,
      remoteAddress === undefined
        ? HttpServerRequest.fromWeb(request)
        : HttpServerRequest.fromWeb(request).modify({ remoteAddress })
    ),
    Effect.map((response) => HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD" }))
  )

/** @internal The error a reset connection gives in Node: what the client finds by its `code`. */
export const connectionResetError = (): Error =>
  Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" })

const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<BodyInit | undefined> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body as Uint8Array<ArrayBuffer>)
    case "Raw":
      return Effect.succeed(body.body as BodyInit)
    case "FormData":
      return Effect.succeed(body.formData)
    case "Stream":
      return Stream.toReadableStreamEffect(body.stream)
  }
}

/** @internal The web `Request` an `HttpClientRequest` would put on the wire. */
export const toWebRequest = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<Request, HttpClientError.RequestError> =>
  Effect.flatMap(requestBody(request), (body) =>
    Effect.try({
      try: () =>
        new Request(url, {
          method: request.method,
          headers: request.headers,
          ...(body === undefined || request.method === "GET" || request.method === "HEAD"
            ? {}
            : { body, duplex: "half" } as RequestInit)
        }),
      catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
    }))
