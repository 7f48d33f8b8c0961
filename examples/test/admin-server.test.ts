import { ClerkAuth, SessionToken, Webhooks } from "@effect-clerk/auth"
import { ClerkClient, Impersonations, Sessions } from "@effect-clerk/client"
import { Emulator, Observe, TestClerk } from "@effect-clerk/test-kit"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { AdminApi } from "../admin-server/Api.js"
import { ApplicationLive } from "../admin-server/Application.js"
import * as AuditLog from "../admin-server/AuditLog.js"
import { AuditLive, ClerkWebhooksLive } from "../admin-server/ClerkWebhooks.js"
import { ImpersonationsLive } from "../admin-server/Impersonations.js"
import * as ImpersonationTrail from "../admin-server/ImpersonationTrail.js"
import * as IssuedTokens from "../admin-server/IssuedTokens.js"

/** The webhook endpoint's signing secret, as the Clerk dashboard would show it. */
const signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

type Services =
  | Emulator.Emulator
  | ClerkClient.ClerkClient
  | AuditLog.AuditLog
  | ImpersonationTrail.ImpersonationTrail
  | Observe.Captured

type Send = (
  method: string,
  path: string,
  init?: { readonly headers?: Record<string, string>; readonly body?: string }
) => Effect.Effect<Response>

/**
 * The server as `main.ts` wires it, with these changes: Clerk is the in-memory emulator (`TestClerk.layer`) instead of
 * `ClerkClient.layerConfig` + `NodeHttpClient.layerUndici`; session tokens are verified with the emulator's public key
 * (and its issuer) instead of `SessionToken.layerConfig`; webhooks with a test secret instead of
 * `Webhooks.layerConfig`; the audit logs are kept in memory.
 */
const withAdminApi = <A, E>(
  test: (
    call: (method: string, path: string, body?: unknown, staff?: string) => Effect.Effect<Response>,
    services: Context.Context<Services>,
    send: Send,
    handler: (request: Request) => Promise<Response>
  ) => Effect.Effect<A, E, Services>,
  emulatorOptions?: Emulator.Options
) =>
  Effect.gen(function*() {
    const services = yield* Layer.build(
      Layer.mergeAll(
        TestClerk.layer({ emulator: emulatorOptions }),
        AuditLog.layerMemory,
        IssuedTokens.layerMemory,
        ImpersonationTrail.layerMemory,
        Observe.layer
      )
    )
    const emulator = Context.get(services, Emulator.Emulator)
    const verifiers = Layer.mergeAll(
      SessionToken.layer({ jwtKey: yield* emulator.publicKeyPem, issuer: Emulator.defaultBaseUrl }),
      Webhooks.layer({ secret: signingSecret })
    )
    const api = HttpApiBuilder.api(AdminApi).pipe(
      Layer.provide([ImpersonationsLive, ApplicationLive, ClerkWebhooksLive, AuditLive]),
      Layer.provide([ClerkAuth.layer, ClerkAuth.layerNoImpersonation()]),
      Layer.provide(verifiers),
      Layer.provide(Layer.succeedContext(services))
    )
    const { dispose, handler } = HttpApiBuilder.toWebHandler(Layer.mergeAll(api, HttpServer.layerContext))
    yield* Effect.addFinalizer(() => Effect.promise(dispose))
    const send: Send = (method, path, init) =>
      Effect.promise(() =>
        handler(
          new Request(`http://admin.test${path}`, { method, headers: init?.headers ?? {}, body: init?.body ?? null })
        )
      )
    const call = (method: string, path: string, body?: unknown, staff = "user_staff_7") =>
      send(method, path, {
        headers: { "content-type": "application/json", "x-staff-id": staff },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    const picked = Context.pick(
      Emulator.Emulator,
      ClerkClient.ClerkClient,
      AuditLog.AuditLog,
      ImpersonationTrail.ImpersonationTrail,
      Observe.Captured
    )(services)
    return yield* test(call, picked, send, handler).pipe(Effect.provide(picked))
  }).pipe(Effect.scoped)

const json = (response: Response) => Effect.promise(() => response.json() as Promise<unknown>)

/** Starts an impersonation through the admin API and opens its link, as the support agent's browser would. */
const impersonate = (call: (method: string, path: string, body?: unknown) => Effect.Effect<Response>, userId: string) =>
  Effect.gen(function*() {
    const created = yield* call("POST", "/impersonations", { userId })
    const { actorTokenId, url } = (yield* json(created)) as { actorTokenId: string; url: string }
    const emulator = yield* Emulator.Emulator
    yield* emulator.acceptTicket(new URL(url).searchParams.get("ticket")!)
    const [session] = yield* Impersonations.active({ userId })
    return { actorTokenId, session: session! }
  })

const bearer = (jwt: Redacted.Redacted<string>) => ({ authorization: `Bearer ${Redacted.value(jwt)}` })

/** Posts every webhook event the emulator emitted since `from` to the app, signed as Clerk signs them. */
const deliver = (send: Send, from: number, secret: string = signingSecret) =>
  Effect.gen(function*() {
    const events = (yield* (yield* Emulator.Emulator).webhookEvents).slice(from)
    return yield* Effect.forEach(events, (emitted) =>
      Effect.gen(function*() {
        const headers = yield* Webhooks.sign({ secret, id: emitted.id, body: emitted.body })
        const response = yield* send("POST", "/webhooks/clerk", {
          headers: { ...headers, "content-type": "application/json" },
          body: emitted.body
        })
        return response.status
      }))
  })

/**
 * A loopback endpoint for the emulator's real webhook deliveries, listening before the app exists (the emulator needs
 * its url when it is built): each request is handed to the app once `serve` has given it.
 */
const webhookReceiver = Effect.gen(function*() {
  let app: ((request: Request) => Promise<Response>) | undefined
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value)
      const answer = app === undefined
        ? Promise.resolve(new Response(null, { status: 503 }))
        : app(new Request(`http://127.0.0.1${req.url}`, { method: req.method!, headers, body: Buffer.concat(chunks) }))
      void answer.then((response) => res.writeHead(response.status).end())
    })
  })
  yield* Effect.acquireRelease(
    Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
    () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhooks/clerk`,
    serve: (handler: (request: Request) => Promise<Response>) => {
      app = handler
    }
  }
})

const auditRecords = (send: Send) =>
  Effect.flatMap(send("GET", "/audit", { headers: { "x-staff-id": "user_staff_7" } }), json) as Effect.Effect<
    ReadonlyArray<{ deliveryId: string; record: Record<string, unknown> }>
  >

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

describe("admin-server: the application during an impersonation", () => {
  it.live("shows who is signed in and who acts for them; refuses the sensitive endpoint; stop ends the session", () =>
    withAdminApi((call, _services, send) =>
      Effect.gen(function*() {
        const { actorTokenId, session } = yield* impersonate(call, "user_target_5")
        // What the impersonated browser sends: the session token minted for it, here through the Backend API route.
        const headers = bearer(yield* Sessions.createToken(session.id))

        const me = yield* send("GET", "/app/me", { headers })
        expect(me.status).toBe(200)
        expect(yield* json(me)).toEqual({
          userId: "user_target_5",
          sessionId: session.id,
          actor: { sub: "user_staff_7", via: "admin-server" },
          impersonated: true
        })

        const refused = yield* send("POST", "/app/account/delete", { headers })
        expect(refused.status).toBe(403)
        // The client learns that someone acts for the user, not who: the actor's id stays on the server.
        expect(yield* json(refused)).toEqual({ _tag: "ImpersonationForbidden", actor: "impersonator" })

        const stopped = yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(yield* json(stopped)).toEqual({ outcome: "session-ended", sessionsEnded: 1 })
        const emulator = yield* Emulator.Emulator
        expect(Option.map(yield* emulator.findSession(session.id), (s) => s.status)).toEqual(Option.some("revoked"))
        // The session is gone: Clerk mints no new token for it (the last one lives out its ≤ 60 s).
        const noToken = yield* Effect.flip(Sessions.createToken(session.id))
        expect(noToken._tag).toBe("ClerkBadRequest")
      })
    ))

  it.live("the user's own session passes the sensitive endpoint; no or a forged token is 401", () =>
    withAdminApi((_call, _services, send) =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const own = yield* emulator.seedSession({ userId: "user_target_6" })
        const headers = bearer(yield* Sessions.createToken(own.id))

        const me = yield* send("GET", "/app/me", { headers })
        expect(yield* json(me)).toEqual({
          userId: "user_target_6",
          sessionId: own.id,
          actor: null,
          impersonated: false
        })
        const deleted = yield* send("POST", "/app/account/delete", { headers })
        expect(deleted.status).toBe(202)
        expect(yield* json(deleted)).toEqual({ userId: "user_target_6", status: "scheduled" })

        const anonymous = yield* send("GET", "/app/me")
        expect(anonymous.status).toBe(401)
        expect(yield* json(anonymous)).toEqual({ _tag: "Unauthorized", reason: "token-missing" })
        const jwt = Redacted.value(yield* Sessions.createToken(own.id))
        const [header, payload] = jwt.split(".")
        const forged = yield* send("POST", "/app/account/delete", {
          headers: { authorization: `Bearer ${header}.${payload}.${"A".repeat(342)}` }
        })
        expect(forged.status).toBe(401)
        expect(yield* json(forged)).toEqual({ _tag: "Unauthorized", reason: "token-invalid-signature" })
      })
    ))
})

describe("admin-server: the audit trail of impersonations", () => {
  it.live("records the start (who, whom, session) and the end of an impersonation from Clerk's webhooks", () =>
    withAdminApi((call, _services, send) =>
      Effect.gen(function*() {
        const { actorTokenId, session } = yield* impersonate(call, "user_target_7")
        expect(yield* deliver(send, 0)).toEqual([204])
        const started = yield* auditRecords(send)
        expect(started).toHaveLength(1)
        expect(started[0]!.record).toMatchObject({
          _tag: "ImpersonationStarted",
          actor: { sub: "user_staff_7", via: "admin-server" },
          userId: "user_target_7",
          sessionId: session.id
        })

        yield* call("DELETE", `/impersonations/${actorTokenId}`)
        expect(yield* deliver(send, 1)).toEqual([204])
        const records = yield* auditRecords(send)
        expect(records.map((r) => r.record._tag)).toEqual(["ImpersonationStarted", "ImpersonationEnded"])
        expect(records[1]!.record).toMatchObject({
          actor: { sub: "user_staff_7", via: "admin-server" },
          userId: "user_target_7",
          sessionId: session.id,
          reason: "revoked"
        })
        const [createdEvent, revokedEvent] = yield* (yield* Emulator.Emulator).webhookEvents
        expect(records.map((r) => r.deliveryId)).toEqual([createdEvent!.id, revokedEvent!.id])
      })
    ))

  it.live("a redelivery is recorded once; a bad signature is 400 and records nothing; own sign-ins are not recorded", () =>
    withAdminApi((call, _services, send) =>
      Effect.gen(function*() {
        yield* impersonate(call, "user_target_8")
        expect(yield* deliver(send, 0)).toEqual([204])
        // At least once: Clerk resends a delivery it is not sure arrived, with the same svix-id.
        expect(yield* deliver(send, 0)).toEqual([204])
        expect(yield* auditRecords(send)).toHaveLength(1)

        const emulator = yield* Emulator.Emulator
        yield* emulator.seedSession({ userId: "user_target_9" })
        const forged = yield* deliver(send, 1, "whsec_dGVzdCBzZWNyZXQ=")
        expect(forged).toEqual([400])
        expect(yield* auditRecords(send)).toHaveLength(1)
        const [emitted] = (yield* emulator.webhookEvents).slice(1)
        const refused = yield* send("POST", "/webhooks/clerk", {
          headers: { ...(yield* Webhooks.sign({ secret: signingSecret, id: emitted!.id, body: emitted!.body })) },
          body: emitted!.body.replace("user_target_9", "user_target_0")
        })
        expect(refused.status).toBe(400)
        expect(yield* json(refused)).toMatchObject({ _tag: "WebhookVerificationError", reason: "invalid-signature" })

        // Authentic, but the user's own sign-in: answered 204 (so Clerk stops resending it), not an impersonation.
        expect(yield* deliver(send, 1)).toEqual([204])
        expect(yield* auditRecords(send)).toHaveLength(1)
      })
    ))
})

describe("admin-server: the audit trail over the emulator's real deliveries", () => {
  it.live(
    "the emulator POSTs the signed events to /webhooks/clerk; the trail shows the start, then the end",
    () =>
      Effect.gen(function*() {
        const receiver = yield* webhookReceiver
        yield* withAdminApi(
          (call, _services, send, handler) =>
            Effect.gen(function*() {
              receiver.serve(handler)
              // Deliveries run in the emulator's own fibers, after the request that caused them: wait for them, bounded.
              const awaitRecords = (count: number) =>
                auditRecords(send).pipe(
                  Effect.filterOrFail((records) => records.length >= count, () => "not yet delivered"),
                  Effect.retry(Schedule.intersect(Schedule.spaced("50 millis"), Schedule.recurs(200)))
                )
              const { actorTokenId, session } = yield* impersonate(call, "user_target_10")
              const [started] = yield* awaitRecords(1)
              expect(started!.record).toMatchObject({
                _tag: "ImpersonationStarted",
                actor: { sub: "user_staff_7" },
                userId: "user_target_10",
                sessionId: session.id
              })

              yield* call("DELETE", `/impersonations/${actorTokenId}`)
              const records = yield* awaitRecords(2)
              expect(records.map((r) => r.record)).toMatchObject([
                { _tag: "ImpersonationStarted" },
                { _tag: "ImpersonationEnded", sessionId: session.id, reason: "revoked" }
              ])
              const emitted = yield* (yield* Emulator.Emulator).webhookEvents
              expect(emitted.flatMap((event) => event.deliveries.map((delivery) => delivery.outcome))).toEqual([
                "delivered",
                "delivered"
              ])
            }),
          { webhooks: [{ url: receiver.url, secret: signingSecret }] }
        )
      }).pipe(Effect.scoped),
    { timeout: 30_000 }
  )
})
