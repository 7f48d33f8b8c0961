import { Emulator, Observe, TestClerk } from "@effect-clerk/test-kit"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { AdminApi } from "../admin-server/Api.js"
import * as AuditLog from "../admin-server/AuditLog.js"
import { ImpersonationsLive } from "../admin-server/Impersonations.js"
import * as IssuedTokens from "../admin-server/IssuedTokens.js"

/**
 * The admin API as the app wires it, with one change: Clerk is the in-memory emulator (`TestClerk.layer`) instead of
 * `ClerkClient.layerConfig` + `FetchHttpClient.layer`, and the audit log is kept in memory.
 */
const withAdminApi = <A, E>(
  test: (
    call: (method: string, path: string, body?: unknown, staff?: string) => Effect.Effect<Response>,
    services: Context.Context<Emulator.Emulator | AuditLog.AuditLog | Observe.Captured>
  ) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const services = yield* Layer.build(
      Layer.mergeAll(TestClerk.layer(), AuditLog.layerMemory, IssuedTokens.layerMemory, Observe.layer)
    )
    const api = HttpApiBuilder.api(AdminApi).pipe(
      Layer.provide(ImpersonationsLive),
      Layer.provide(Layer.succeedContext(services))
    )
    const { dispose, handler } = HttpApiBuilder.toWebHandler(Layer.mergeAll(api, HttpServer.layerContext))
    yield* Effect.addFinalizer(() => Effect.promise(dispose))
    const call = (method: string, path: string, body?: unknown, staff = "user_staff_7") =>
      Effect.promise(() =>
        handler(
          new Request(`http://admin.test${path}`, {
            method,
            headers: { "content-type": "application/json", "x-staff-id": staff },
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          })
        )
      )
    return yield* test(call, Context.pick(Emulator.Emulator, AuditLog.AuditLog, Observe.Captured)(services))
  }).pipe(Effect.scoped)

describe("admin-server", () => {
  it.live("impersonate returns the sign-in url; the audit line names actor and user, never the url", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        const response = yield* call("POST", "/impersonations", { userId: "user_target_1" })
        expect(response.status).toBe(201)
        const body = (yield* Effect.promise(() => response.json())) as { actorTokenId: string; url: string }
        expect(body.url).toMatch(/\/v1\/tickets\/accept\?ticket=/)

        const emulator = Context.get(services, Emulator.Emulator)
        const stored = Option.getOrThrow(yield* emulator.find(body.actorTokenId))
        expect(stored.userId).toBe("user_target_1")
        expect(stored.actor).toEqual({ sub: "user_staff_7", via: "admin-server" })
        expect(stored.status).toBe("pending")

        const entries = yield* Context.get(services, AuditLog.AuditLog).entries
        expect(entries).toEqual([
          { action: "impersonate", actor: "user_staff_7", user: "user_target_1", actorTokenId: body.actorTokenId }
        ])
        const ticket = new URL(body.url).searchParams.get("ticket")!
        const lines = entries.map(AuditLog.formatEntry).join("\n")
        expect(lines).not.toContain(ticket)
        expect(lines).not.toContain(body.url)
        expect(yield* Context.get(services, Observe.Captured).text).not.toContain(ticket)
      })
    ))

  it.live("cancel before the link is used revokes it; a second cancel has nothing left to do", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        const created = yield* call("POST", "/impersonations", { userId: "user_target_2" })
        const { actorTokenId } = (yield* Effect.promise(() => created.json())) as { actorTokenId: string }

        const cancelled = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(cancelled.status).toBe(200)
        expect(yield* Effect.promise(() => cancelled.json())).toEqual({ outcome: "link-revoked", sessionsEnded: 0 })
        const emulator = Context.get(services, Emulator.Emulator)
        expect(Option.map(yield* emulator.find(actorTokenId), (t) => t.status)).toEqual(Option.some("revoked"))

        const revokesBefore = yield* emulator.requestCount("revoke")
        const again = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(again.status).toBe(200)
        expect(yield* Effect.promise(() => again.json())).toEqual({ outcome: "already-cancelled", sessionsEnded: 0 })
        expect(yield* emulator.requestCount("revoke")).toBe(revokesBefore)
        const entries = yield* Context.get(services, AuditLog.AuditLog).entries
        expect(entries.map((e) => e.action)).toEqual(["impersonate", "cancel"])
        expect(entries[1]).toEqual({ action: "cancel", actor: "user_staff_7", user: "user_target_2", actorTokenId })
      })
    ))

  it.live("cancel after the agent opened the link ends the impersonated session it started", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        const created = yield* call("POST", "/impersonations", { userId: "user_target_3" })
        const { actorTokenId } = (yield* Effect.promise(() => created.json())) as { actorTokenId: string }
        const emulator = Context.get(services, Emulator.Emulator)
        yield* emulator.accept(actorTokenId)
        const [started] = (yield* emulator.sessions).filter((s) => s.userId === "user_target_3")
        expect(started?.status).toBe("active")

        const response = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(response.status).toBe(200)
        expect(yield* Effect.promise(() => response.json())).toEqual({ outcome: "session-ended", sessionsEnded: 1 })
        const after = (yield* emulator.sessions).find((s) => s.id === started!.id)
        expect(after?.status).toBe("revoked")
        const entries = yield* Context.get(services, AuditLog.AuditLog).entries
        expect(entries.at(-1)).toEqual({
          action: "end",
          actor: "user_staff_7",
          user: "user_target_3",
          actorTokenId,
          sessions: 1
        })
      })
    ))

  it.live("unknown and malformed ids are 404 and 400; nothing reaches Clerk for a malformed one", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        // Not issued by this server: nothing to stop, nothing sent.
        expect((yield* call("DELETE", "/impersonations/act_doesnotexist")).status).toBe(404)
        const emulator = Context.get(services, Emulator.Emulator)
        const before = yield* emulator.requestCount("revoke")
        expect((yield* call("DELETE", "/impersonations/act%20bad%3Fx")).status).toBe(400)
        expect((yield* call("POST", "/impersonations", { userId: "../admin" })).status).toBe(400)
        expect(yield* emulator.requestCount("revoke")).toBe(before)
        expect(yield* emulator.requestCount("create")).toBe(0)
      })
    ))

  it.live("a Clerk outage is a 503 for staff, not a crash", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        yield* Context.get(services, Emulator.Emulator).injectFault(Emulator.Fault.Status({ status: 500 }), {
          operation: "create"
        })
        const response = yield* call("POST", "/impersonations", { userId: "user_target_4" })
        expect(response.status).toBe(503)
        expect(yield* Context.get(services, AuditLog.AuditLog).entries).toEqual([])
      })
    ))
})
