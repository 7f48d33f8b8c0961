import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { Emulator, Mock } from "@effect-clerk/test-kit"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { readFileSync } from "node:fs"

const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string
}).version

const sentRequests = Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)

describe("create request", () => {
  it.effect("is a POST to /v1/actor_tokens with a snake_case JSON body", () =>
    Effect.gen(function*() {
      yield* ActorTokens.create({
        userId: "user_1",
        actor: { sub: "user_2" },
        expiresInSeconds: 600,
        sessionMaxDurationInSeconds: 900
      })
      const [request] = yield* sentRequests
      expect(request?.method).toBe("POST")
      expect(request?.path).toBe("/v1/actor_tokens")
      expect(request?.body).toStrictEqual({
        user_id: "user_1",
        actor: { sub: "user_2" },
        expires_in_seconds: 600,
        session_max_duration_in_seconds: 900
      })
    }).pipe(Effect.provide(Mock.layer({ create: Mock.actorToken() }))))

  it.effect("sends extra actor claims verbatim beside `sub`", () =>
    Effect.gen(function*() {
      const actor = { sub: "user_2", reason: "ticket 42", level: 3, tags: ["a", "b"], nested: { ok: true, n: null } }
      yield* ActorTokens.create({ userId: "user_1", actor })
      const [request] = yield* sentRequests
      expect(request?.body).toStrictEqual({ user_id: "user_1", actor })
      expect(JSON.stringify(request?.body)).not.toContain("additionalProperties")
    }).pipe(Effect.provide(Mock.layer({ create: Mock.actorToken() }))))

  it.effect("leaves out optional durations that were not given, so Clerk's defaults apply", () =>
    Effect.gen(function*() {
      yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
      yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" }, expiresInSeconds: undefined })
      const requests = yield* sentRequests
      expect(requests).toHaveLength(2)
      for (const request of requests) {
        expect(Object.keys(request.body as object).sort()).toEqual(["actor", "user_id"])
      }
    }).pipe(Effect.provide(Mock.layer({ create: Mock.actorToken() }))))

  it.effect("returns the token with the actor Clerk echoed, every key kept", () =>
    Effect.gen(function*() {
      const token = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
      expect(token.actor).toEqual({ sub: "user_2", iss: "dashboard", extra: [1] })
    }).pipe(
      Effect.provide(
        Mock.layer({ create: Mock.actorToken({ actor: { sub: "user_2", iss: "dashboard", extra: [1] } }) })
      )
    ))
})

describe("headers", () => {
  it.effect("every request carries the bearer key, the API version and a User-Agent with the package version", () =>
    Effect.gen(function*() {
      yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
      yield* ActorTokens.revoke("act_1")
      const [create, revoke] = yield* sentRequests
      for (const request of [create!, revoke!]) {
        expect(request.authorization && Redacted.value(request.authorization)).toBe(
          `Bearer ${Emulator.defaultSecretKey}`
        )
        expect(request.headers["authorization"]).toBe("<redacted>")
        expect(request.headers["clerk-api-version"]).toBe("2026-05-12")
        expect(request.headers["user-agent"]).toBe(`@effect-clerk/client/${packageVersion}`)
        expect(request.headers["accept"]).toBe("application/json")
      }
      expect(create!.headers["content-type"]).toBe("application/json")
      expect(revoke!.headers["content-type"]).toBeUndefined()
      expect(revoke!.body).toBeUndefined()
    }).pipe(Effect.provide(Mock.layer({ create: Mock.actorToken(), revoke: Mock.actorToken({ status: "revoked" }) }))))

  it("the User-Agent constant names the package and the version in package.json", () => {
    expect(ClerkClient.userAgent).toBe(`@effect-clerk/client/${packageVersion}`)
  })

  it.effect("userAgent, clerkApiVersion and the apiUrl path are honoured", () =>
    Effect.gen(function*() {
      yield* ActorTokens.revoke("act_1")
      const [request] = yield* sentRequests
      expect(request?.path).toBe("/proxy/clerk/v1/actor_tokens/act_1/revoke")
      expect(request?.headers["user-agent"]).toBe(`support-console/1.2 @effect-clerk/client/${packageVersion}`)
      expect(request?.headers["clerk-api-version"]).toBe("2025-04-10")
    }).pipe(
      Effect.provide(Mock.layer({ revoke: Mock.actorToken() }, {
        apiUrl: "https://gateway.example.com/proxy/clerk/",
        userAgent: "support-console/1.2",
        clerkApiVersion: "2025-04-10"
      }))
    ))

  it.effect("transformClient sees the finished request", () =>
    Effect.gen(function*() {
      yield* ActorTokens.revoke("act_1")
      const [request] = yield* sentRequests
      expect(request?.headers["x-request-source"]).toBe("tests")
      expect(request?.headers["clerk-api-version"]).toBe("2026-05-12")
    }).pipe(
      Effect.provide(Mock.layer({ revoke: Mock.actorToken() }, {
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-request-source", "tests"))
      }))
    ))
})
