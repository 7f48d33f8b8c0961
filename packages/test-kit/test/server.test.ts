import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Layer, Redacted, Schema, Scope, TestClock } from "effect"
import { call, decodeErrors } from "./support.js"

const decodeToken = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))

const auth = { authorization: `Bearer ${Emulator.defaultSecretKey}`, "content-type": "application/json" }

const create = (url: string, body: unknown = { user_id: "user_1", actor: { sub: "user_admin" } }) =>
  call(`${url}/v1/actor_tokens`, { method: "POST", headers: auth, body: JSON.stringify(body) })

const revoke = (url: string, id: string) =>
  call(`${url}/v1/actor_tokens/${id}/revoke`, { method: "POST", headers: auth })

/** Waits (without sleeping: one turn of the event loop at a time) until the emulator has seen `n` requests. */
const seen = (emulator: Emulator.Service, route: Emulator.Route, n: number) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 100_000; turn++) {
      if ((yield* emulator.requestCount(route)) >= n) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.die(`the emulator never saw ${n} ${route} request(s)`)
  })

/** The `code` of a fetch failure's cause, as undici reports a broken connection. */
const causeCode = (error: unknown): unknown => (error as { cause?: { code?: unknown } }).cause?.code

layer(EmulatorServer.layer({ port: 0 }))("the server over loopback", (it) => {
  it.effect("listens on 127.0.0.1 and creates tokens whose url points at itself", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.EmulatorServer
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.port).toBeGreaterThan(0)
      yield* server.emulator.reset
      yield* TestClock.setTime(Date.UTC(2026, 4, 12))

      const response = yield* create(server.url, { user_id: "user_1", actor: { sub: "user_admin", note: "x" } })
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe("application/json")
      const token = decodeToken(response.text)
      expect(token.status).toBe("pending")
      expect(token.actor).toEqual({ sub: "user_admin", note: "x" })
      // The server handles requests with the runtime it was started in: here, the TestClock.
      expect(token.createdAt).toBe(Date.UTC(2026, 4, 12))
      assert(token.url != null && token.token != null)
      expect(Redacted.value(token.url)).toBe(
        `${server.url}/v1/tickets/accept?ticket=${Redacted.value(token.token)}`
      )

      const page = yield* call(Redacted.value(token.url))
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(page.text).toContain("Signed in as <strong>user_1</strong>")
      expect((yield* call(Redacted.value(token.url))).status).toBe(400)

      const notPending = yield* revoke(server.url, token.id)
      expect(notPending.status).toBe(400)
      expect(decodeErrors(notPending.text).errors[0]?.longMessage).toBe(
        "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
      )
      expect(yield* server.emulator.requestCounts).toEqual({
        create: 1,
        revoke: 1,
        listSessions: 0,
        getSession: 0,
        revokeSession: 0,
        createSessionToken: 0,
        getJwks: 0,
        accept: 2,
        wellKnownJwks: 0,
        unmatched: 0
      })
    }))

  it.effect("revokes, then refuses to revoke again; unknown ids are 404", () =>
    Effect.gen(function*() {
      const { url } = yield* EmulatorServer.EmulatorServer
      const token = decodeToken((yield* create(url)).text)
      const revoked = yield* revoke(url, token.id)
      expect(revoked.status).toBe(200)
      expect(decodeToken(revoked.text).status).toBe("revoked")
      const again = yield* revoke(url, token.id)
      expect(again.status).toBe(400)
      expect(decodeErrors(again.text).errors[0]?.code).toBe("actor_token_cannot_be_revoked_code")
      const unknown = yield* revoke(url, "act_unknown")
      expect(unknown.status).toBe(404)
      expect(decodeErrors(unknown.text).errors[0]?.code).toBe("resource_not_found")
    }))

  it.effect("401, 400 and 422 with Clerk's error body", () =>
    Effect.gen(function*() {
      const { url } = yield* EmulatorServer.EmulatorServer
      const noKey = yield* call(`${url}/v1/actor_tokens`, { method: "POST", body: "{}" })
      expect(noKey.status).toBe(401)
      expect(decodeErrors(noKey.text).errors[0]?.code).toBe("authentication_invalid")
      const wrongKey = yield* call(`${url}/v1/actor_tokens`, {
        method: "POST",
        headers: { authorization: "Bearer sk_test_wrong" },
        body: "{}"
      })
      expect(decodeErrors(wrongKey.text).errors[0]?.code).toBe("clerk_key_invalid")
      const notJson = yield* call(`${url}/v1/actor_tokens`, { method: "POST", headers: auth, body: "user_id=1" })
      expect(notJson.status).toBe(400)
      expect(decodeErrors(notJson.text).errors[0]?.code).toBe("request_body_invalid")
      const noSub = yield* create(url, { user_id: "user_1", actor: {} })
      expect(noSub.status).toBe(422)
      const body = JSON.parse(noSub.text)
      expect(body.errors[0]).toEqual({
        code: "form_param_missing",
        message: "missing required parameter",
        long_message: "actor.sub must be included.",
        meta: { param_name: "actor.sub" }
      })
      expect(body.clerk_trace_id).toMatch(/^[0-9a-f]{32}$/)
    }))

  it.effect("a connection-reset fault destroys the socket; the server goes on serving", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.EmulatorServer
      yield* server.emulator.reset
      yield* server.emulator.injectFault(Emulator.Fault.ConnectionReset(), { operation: "create" })
      const failure = yield* Effect.flip(create(server.url))
      expect(failure).toBeInstanceOf(TypeError)
      expect(causeCode(failure)).toBe("ECONNRESET")
      expect(yield* server.emulator.tokens).toEqual([])
      expect((yield* create(server.url)).status).toBe(200)
    }))

  it.effect("an after-processing reset: the token exists, the client saw no response", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.EmulatorServer
      yield* server.emulator.reset
      yield* server.emulator.injectFault(Emulator.Fault.ConnectionReset(), { afterProcessing: true })
      yield* Effect.flip(create(server.url))
      expect((yield* server.emulator.tokens).map((t) => t.status)).toEqual(["pending"])
    }))

  it.effect("HTML, truncated, wrong-shaped and empty bodies", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.EmulatorServer
      const emulator = server.emulator
      yield* emulator.reset
      yield* emulator.injectFault(Emulator.Fault.HtmlPage({ status: 502 }))
      const html = yield* create(server.url)
      expect(html.status).toBe(502)
      expect(html.headers.get("content-type")).toBe("text/html")
      expect(html.text).toContain("502 Bad Gateway")

      yield* emulator.injectFault(Emulator.Fault.TruncatedJson())
      const truncated = yield* create(server.url)
      expect(truncated.status).toBe(200)
      expect(() => JSON.parse(truncated.text)).toThrow()

      yield* emulator.injectFault(Emulator.Fault.WrongShape())
      const wrong = yield* create(server.url)
      expect(wrong.status).toBe(200)
      expect(() => decodeToken(wrong.text)).toThrow()
      expect(typeof JSON.parse(wrong.text)).toBe("object")

      yield* emulator.injectFault(Emulator.Fault.EmptyBody())
      const empty = yield* create(server.url)
      expect(empty.status).toBe(200)
      expect(empty.text).toBe("")

      yield* emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "3 seconds" }))
      const limited = yield* create(server.url)
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("3")

      yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }))
      expect((yield* create(server.url)).status).toBe(503)
    }))

  it.effect("a stall holds the request until the client gives up", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.EmulatorServer
      yield* server.emulator.reset
      yield* server.emulator.injectFault(Emulator.Fault.Stall())
      const controller = new AbortController()
      const fiber = yield* Effect.fork(
        Effect.flip(call(`${server.url}/v1/actor_tokens`, {
          method: "POST",
          headers: auth,
          body: "{}",
          signal: controller.signal
        }))
      )
      yield* seen(server.emulator, "create", 1)
      expect(fiber.unsafePoll()).toBe(null)
      controller.abort()
      const failure = yield* Fiber.join(fiber)
      expect((failure as Error).name).toBe("AbortError")
      expect((yield* create(server.url)).status).toBe(200)
    }))
})

describe("the real client over loopback", () => {
  const clientLayer = (url: string, options: Partial<ClerkClient.Options> = {}) =>
    ClerkClient.layer({
      secretKey: Redacted.make(Emulator.defaultSecretKey),
      apiUrl: url,
      maxRetries: 0,
      ...options
    }).pipe(Layer.provide(FetchHttpClient.layer))

  it.scoped("creates and revokes through fetch", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      const program = Effect.gen(function*() {
        const token = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } })
        const revoked = yield* ActorTokens.revoke(token.id)
        return [token, revoked] as const
      })
      const [token, revoked] = yield* Effect.provide(program, clientLayer(server.url))
      expect(token.status).toBe("pending")
      expect(revoked.status).toBe("revoked")
      expect((yield* server.emulator.tokens).map((t) => t.status)).toEqual(["revoked"])
    }))

  it.scoped("a reset surfaces as ClerkTransportError ConnectionReset; create is not retried", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      yield* server.emulator.injectFault(Emulator.Fault.ConnectionReset(), { afterProcessing: true })
      const error = yield* Effect.flip(
        ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } }).pipe(
          Effect.provide(clientLayer(server.url, { maxRetries: 3 }))
        )
      )
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("ConnectionReset")
      expect(yield* server.emulator.requestCount("create")).toBe(1)
      expect(yield* server.emulator.tokens).toHaveLength(1)
    }))

  it.scoped("a stall ends with the client's timeout on the TestClock", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      yield* server.emulator.injectFault(Emulator.Fault.Stall())
      const fiber = yield* Effect.fork(
        Effect.flip(
          ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } }).pipe(
            Effect.provide(clientLayer(server.url, { timeout: "3 seconds" }))
          )
        )
      )
      yield* seen(server.emulator, "create", 1)
      yield* TestClock.adjust("3 seconds")
      const error = yield* Fiber.join(fiber)
      assert(error._tag === "ClerkTransportError")
      expect(error.reason).toBe("Timeout")
    }))

  it.scoped("429 with Retry-After from the server's rate limit", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make({ rateLimit: { limit: 1, interval: "30 seconds" } })
      expect((yield* create(server.url)).status).toBe(200)
      const limited = yield* create(server.url)
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("30")
      expect(decodeErrors(limited.text).errors[0]?.code).toBe("too_many_requests")
      yield* TestClock.adjust("30 seconds")
      expect((yield* create(server.url)).status).toBe(200)
    }))

  it.scoped("quota and plan", () =>
    Effect.gen(function*() {
      const quota = yield* EmulatorServer.make({ monthlyQuota: 1 })
      expect((yield* create(quota.url)).status).toBe(200)
      const over = yield* create(quota.url)
      expect(over.status).toBe(422)
      expect(decodeErrors(over.text).errors[0]?.code).toBe("impersonation_limit_exceeded")
      const noPlan = yield* EmulatorServer.make({ impersonationOnPlan: false })
      expect((yield* create(noPlan.url)).status).toBe(402)
    }))
})

describe("lifecycle", () => {
  it.effect("closing the scope closes the port, stalled requests included", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* EmulatorServer.make().pipe(Scope.extend(scope))
      yield* server.emulator.injectFault(Emulator.Fault.Stall())
      const stalled = yield* Effect.fork(Effect.either(create(server.url)))
      yield* seen(server.emulator, "create", 1)
      yield* Scope.close(scope, Exit.void)
      const result = yield* Fiber.join(stalled)
      assert(Either.isLeft(result))
      const refused = yield* Effect.flip(create(server.url))
      expect(causeCode(refused)).toBe("ECONNREFUSED")
    }))

  it.scoped("a port in use: EmulatorServerError EADDRINUSE", () =>
    Effect.gen(function*() {
      const first = yield* EmulatorServer.make()
      const error = yield* Effect.flip(EmulatorServer.make({ port: first.port }))
      assert(error._tag === "EmulatorServerError")
      expect(error.code).toBe("EADDRINUSE")
      const invalid = yield* Effect.flip(EmulatorServer.make({ port: 70000 }))
      assert(invalid._tag === "EmulatorServerError")
    }))

  it.scoped("a given baseUrl is used in ticket URLs instead of the listening address", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make({ baseUrl: "https://clerk.example.test" })
      const token = decodeToken((yield* create(server.url)).text)
      assert(token.url != null)
      expect(Redacted.value(token.url)).toMatch(/^https:\/\/clerk\.example\.test\/v1\/tickets\/accept\?ticket=/)
    }))
})
