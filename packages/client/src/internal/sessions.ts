import { Ids, Session, SessionToken } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { SessionsApi } from "../ClerkClient.js"
import type { CreateTokenOptions, ListParams } from "../Sessions.js"
import type * as InternalHttp from "./http.js"
import * as InternalInput from "./input.js"

const encodeListParams = Schema.encodeUnknownEither(Session.ListSessionsParams)
const decodeSessionId = Schema.decodeUnknownEither(Ids.SessionId)
const decodeSession = Schema.decodeUnknownEither(Session.Session)
const decodeSessionList = Schema.decodeUnknownEither(Session.SessionList)
const encodeTokenParams = Schema.encodeUnknownEither(SessionToken.CreateSessionTokenParams)
const decodeSessionToken = Schema.decodeUnknownEither(SessionToken.SessionToken)

/** @internal The session operations of a client, over its one way to reach Clerk. */
export const make = (execute: InternalHttp.Execute): SessionsApi => ({
  list: Effect.fn("Sessions.list")(function*(params: ListParams) {
    const query = yield* InternalInput.check(
      "session list params",
      encodeListParams(InternalInput.dropUndefined(params), { onExcessProperty: "error" })
    )
    return yield* execute({
      operation: "sessions.list",
      method: "GET",
      path: "/sessions",
      // `paginated=true` makes the server answer `{ data, total_count }` (both shapes are decoded).
      urlParams: { ...query, paginated: true },
      idempotent: true,
      decode: decodeSessionList
    })
  }),
  get: Effect.fn("Sessions.get")(function*(sessionId: string) {
    const id = yield* InternalInput.check("session id", decodeSessionId(sessionId))
    return yield* execute({
      operation: "sessions.get",
      method: "GET",
      path: `/sessions/${id}`,
      idempotent: true,
      decode: decodeSession
    })
  }),
  revoke: Effect.fn("Sessions.revoke")(function*(sessionId: string) {
    const id = yield* InternalInput.check("session id", decodeSessionId(sessionId))
    return yield* execute({
      operation: "sessions.revoke",
      method: "POST",
      path: `/sessions/${id}/revoke`,
      idempotent: true,
      decode: decodeSession
    })
  }),
  createToken: Effect.fn("Sessions.createToken")(function*(sessionId: string, options: CreateTokenOptions = {}) {
    const id = yield* InternalInput.check("session id", decodeSessionId(sessionId))
    const body = yield* InternalInput.check(
      "session token options",
      encodeTokenParams(InternalInput.dropUndefined(options), { onExcessProperty: "error" })
    )
    const token = yield* execute({
      operation: "sessions.createToken",
      method: "POST",
      path: `/sessions/${id}/tokens`,
      body,
      // Each call mints a fresh token and changes nothing else: sending it twice is harmless.
      idempotent: true,
      decode: decodeSessionToken
    })
    return token.jwt
  })
})
