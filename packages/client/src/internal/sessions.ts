import { Ids, Session } from "@effect-clerk/schema"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { SessionsApi } from "../ClerkClient.js"
import type { ListParams } from "../Sessions.js"
import type * as InternalHttp from "./http.js"
import * as InternalInput from "./input.js"

const encodeListParams = Schema.encodeUnknown(Session.ListSessionsParams)
const decodeSessionId = Schema.decodeUnknown(Ids.SessionId)

/** @internal The session operations of a client, over its one way to reach Clerk. */
export const make = (execute: InternalHttp.Execute): SessionsApi => ({
  list: Effect.fn("Sessions.list")(function*(params: ListParams) {
    const query = yield* InternalInput.check(
      "session list params",
      encodeListParams(InternalInput.dropUndefined(params), { onExcessProperty: "error" })
    )
    return yield* execute({
      operation: "sessions.list",
      // `paginated=true` makes the server answer `{ data, total_count }` (both shapes are decoded).
      request: HttpClientRequest.get("/sessions").pipe(HttpClientRequest.setUrlParams({ ...query, paginated: true })),
      idempotent: true,
      success: Session.SessionList
    })
  }),
  get: Effect.fn("Sessions.get")(function*(sessionId: string) {
    const id = yield* InternalInput.check("session id", decodeSessionId(sessionId))
    return yield* execute({
      operation: "sessions.get",
      request: HttpClientRequest.get(`/sessions/${id}`),
      idempotent: true,
      success: Session.Session
    })
  }),
  revoke: Effect.fn("Sessions.revoke")(function*(sessionId: string) {
    const id = yield* InternalInput.check("session id", decodeSessionId(sessionId))
    return yield* execute({
      operation: "sessions.revoke",
      request: HttpClientRequest.post(`/sessions/${id}/revoke`),
      idempotent: true,
      success: Session.Session
    })
  })
})
