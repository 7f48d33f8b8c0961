// The session routes on loopback: the same emulator behind a real socket, reached with fetch.
import { Session } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { call, decodeErrors } from "./support.js"

const decodeList = Schema.decodeUnknownSync(Schema.parseJson(Session.SessionList))
const decodeSession = Schema.decodeUnknownSync(Schema.parseJson(Session.Session))
const auth = { authorization: `Bearer ${Emulator.defaultSecretKey}` }

const withServer = <A, E>(
  options: EmulatorServer.Options,
  test: (server: EmulatorServer.Service) => Effect.Effect<A, E>
) => Effect.scoped(Effect.flatMap(EmulatorServer.make(options), test))

describe("the session routes over loopback", () => {
  it.effect("opening the url starts the session; list (both shapes), get, revoke, and Clerk's errors", () =>
    withServer({ port: 0 }, ({ emulator, url }) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.UTC(2026, 4, 12))
        const created = yield* call(`${url}/v1/actor_tokens`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ user_id: "user_1", actor: { sub: "user_admin", note: "x" } })
        })
        const ticketUrl: string = JSON.parse(created.text).url
        expect((yield* call(ticketUrl)).status).toBe(200)

        const bare = yield* call(`${url}/v1/sessions?user_id=user_1&status=active`, { headers: auth })
        expect(bare.status).toBe(200)
        expect(Array.isArray(JSON.parse(bare.text))).toBe(true)
        const [session] = decodeList(bare.text).data
        expect(session?.actor).toEqual({ sub: "user_admin", note: "x" })
        expect(session?.createdAt).toBe(Date.UTC(2026, 4, 12))
        const paginated = decodeList(
          (yield* call(`${url}/v1/sessions?user_id=user_1&paginated=true`, { headers: auth })).text
        )
        expect(paginated).toEqual({ data: [session], totalCount: 1 })

        const id = session!.id
        expect(decodeSession((yield* call(`${url}/v1/sessions/${id}`, { headers: auth })).text)).toEqual(session)
        const revoked = yield* call(`${url}/v1/sessions/${id}/revoke`, { method: "POST", headers: auth })
        expect(decodeSession(revoked.text).status).toBe("revoked")
        const again = yield* call(`${url}/v1/sessions/${id}/revoke`, { method: "POST", headers: auth })
        expect([again.status, decodeErrors(again.text).errors[0]?.code]).toEqual([400, "session_not_active"])
        const unknown = yield* call(`${url}/v1/sessions/sess_unknown`, { headers: auth })
        expect(unknown.status).toBe(404)
        const bad = yield* call(`${url}/v1/sessions?user_id=user_1&limit=ten`, { headers: auth })
        expect([bad.status, decodeErrors(bad.text).errors[0]?.code]).toEqual([422, "form_param_format_invalid"])
        expect(yield* emulator.requestCounts).toMatchObject({ listSessions: 3, getSession: 2, revokeSession: 2 })
      })))

  it.effect("faults and the rate limit reach the session routes on loopback too", () =>
    withServer({ port: 0, rateLimit: { limit: 2 } }, ({ emulator, url }) =>
      Effect.gen(function*() {
        const seeded = yield* emulator.seedSession({ userId: "user_1" })
        yield* emulator.injectFault(Emulator.Fault.ConnectionReset(), { operation: "listSessions" })
        const reset = yield* Effect.flip(call(`${url}/v1/sessions?user_id=user_1`, { headers: auth }))
        expect((reset as { cause?: { code?: unknown } }).cause?.code).toBe("ECONNRESET")
        // The reset request never reached the rate limit: two more are admitted, the third is not.
        expect((yield* call(`${url}/v1/sessions/${seeded.id}`, { headers: auth })).status).toBe(200)
        expect((yield* call(`${url}/v1/sessions?user_id=user_1`, { headers: auth })).status).toBe(200)
        const limited = yield* call(`${url}/v1/sessions/${seeded.id}/revoke`, { method: "POST", headers: auth })
        expect(limited.status).toBe(429)
        expect(limited.headers.get("retry-after")).toBe("10")
      })))
})
