/**
 * The scripted transport's machinery: which route a request is for, what the recorder keeps of it, and how a scripted
 * reply becomes a response (or a transport failure, or nothing at all).
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { Operation } from "../Emulator.js"
import type { RecordedRequest, Reply } from "../Mock.js"

const routeOf = (method: string, path: string): Operation | undefined => {
  if (method === "GET") {
    if (/\/sessions\/?$/.test(path)) return "listSessions"
    if (/\/sessions\/[^/]+\/?$/.test(path)) return "getSession"
    if (/\/jwks\/?$/.test(path)) return "getJwks"
    return undefined
  }
  if (method !== "POST") return undefined
  if (/\/actor_tokens\/?$/.test(path)) return "create"
  if (/\/actor_tokens\/[^/]+\/revoke\/?$/.test(path)) return "revoke"
  if (/\/sessions\/[^/]+\/revoke\/?$/.test(path)) return "revokeSession"
  if (/\/sessions\/[^/]+\/tokens\/?$/.test(path)) return "createSessionToken"
  return undefined
}

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  const text = body._tag === "Uint8Array"
    ? new TextDecoder().decode(body.body)
    : body._tag === "Raw" && typeof body.body === "string"
    ? body.body
    : undefined
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** @internal What the recorder keeps of a request: route, method, path, query, headers (the key redacted), body. */
export const record = (request: HttpClientRequest.HttpClientRequest, url: URL): RecordedRequest => {
  const headers: Record<string, string> = {}
  let authorization: Redacted.Redacted<string> | undefined
  for (const [name, value] of Object.entries(request.headers)) {
    const key = name.toLowerCase()
    if (key === "authorization") {
      authorization = Redacted.make(value)
      headers[key] = "<redacted>"
    } else {
      headers[key] = value
    }
  }
  return {
    route: routeOf(request.method, url.pathname),
    method: request.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    authorization,
    body: bodyOf(request)
  }
}

const toResponse = (
  request: HttpClientRequest.HttpClientRequest,
  reply: Extract<Reply, { _tag: "Respond" }>
): HttpClientResponse.HttpClientResponse => {
  const text = reply.body === undefined
    ? null
    : typeof reply.body === "string"
    ? reply.body
    : JSON.stringify(reply.body)
  const headers = new Headers(reply.headers)
  if (text !== null && typeof reply.body !== "string" && !headers.has("content-type")) {
    headers.set("content-type", "application/json")
  }
  // `Response` refuses a body for 1xx/204/205/304 statuses and statuses outside 200–599: keep the status visible anyway.
  const nullBody = reply.status === 204 || reply.status === 205 || reply.status === 304 || reply.status < 200
  const web = new Response(nullBody ? null : text, {
    status: reply.status >= 200 && reply.status <= 599 ? reply.status : 200,
    headers
  })
  const response = HttpClientResponse.fromWeb(request, web)
  if (web.status === reply.status) return response
  return new Proxy(response, {
    get: (target, key, receiver) => key === "status" ? reply.status : Reflect.get(target, key, receiver)
  })
}

/** @internal The scripted reply, as the transport gives it: a response, a transport failure, or nothing ever. */
export const answer = (
  request: HttpClientRequest.HttpClientRequest,
  reply: Reply
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  switch (reply._tag) {
    case "Stall":
      return Effect.never
    case "Fail":
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: Object.assign(new Error(`mock transport failure ${reply.code}`), { code: reply.code })
        })
      ).pipe(Effect.delay(reply.delay ?? Duration.zero))
    case "Respond":
      return Effect.sync(() => toResponse(request, reply)).pipe(Effect.delay(reply.delay ?? Duration.zero))
  }
}
