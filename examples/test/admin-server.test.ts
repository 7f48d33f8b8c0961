import { Emulator, Observe, TestClerk } from "@effect-clerk/test-kit"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { AdminApi } from "../admin-server/Api.js"
import * as AuditLog from "../admin-server/AuditLog.js"
import { ImpersonationsLive } from "../admin-server/Impersonations.js"

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
    const services = yield* Layer.build(Layer.mergeAll(TestClerk.layer(), AuditLog.layerMemory, Observe.layer))
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

  it.live("cancel revokes a pending impersonation (204), then answers 409 once it is not pending", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        const created = yield* call("POST", "/impersonations", { userId: "user_target_2" })
        const { actorTokenId } = (yield* Effect.promise(() => created.json())) as { actorTokenId: string }

        const cancelled = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(cancelled.status).toBe(204)
        const emulator = Context.get(services, Emulator.Emulator)
        expect(Option.map(yield* emulator.find(actorTokenId), (t) => t.status)).toEqual(Option.some("revoked"))

        const again = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(again.status).toBe(409)
        const entries = yield* Context.get(services, AuditLog.AuditLog).entries
        expect(entries.map((e) => e.action)).toEqual(["impersonate", "cancel", "cancel-refused"])
        expect(entries[1]).toEqual({ action: "cancel", actor: "user_staff_7", user: "user_target_2", actorTokenId })
      })
    ))

  it.live("an accepted impersonation cannot be cancelled (409): the session must be revoked instead", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
        const created = yield* call("POST", "/impersonations", { userId: "user_target_3" })
        const { actorTokenId } = (yield* Effect.promise(() => created.json())) as { actorTokenId: string }
        yield* Context.get(services, Emulator.Emulator).accept(actorTokenId)
        const response = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(response.status).toBe(409)
        expect(yield* Effect.promise(() => response.text())).toContain("accepted")
      })
    ))

  it.live("unknown and malformed ids are 404 and 400; nothing reaches Clerk for a malformed one", () =>
    withAdminApi((call, services) =>
      Effect.gen(function*() {
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
