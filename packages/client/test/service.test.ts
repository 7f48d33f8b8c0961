import { ActorTokens, ClerkClient, ClerkError, Impersonations, Jwks, Sessions } from "@effect-clerk/client"
import { ActorToken, Ids } from "@effect-clerk/schema"
import { Mock } from "@effect-clerk/test-kit"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Fiber, Layer, Redacted, TestClock } from "effect"

const token = (status: ActorToken.ActorTokenStatus) =>
  ActorToken.ActorToken.make({
    object: "actor_token",
    id: Ids.ActorTokenId.make("act_replaced"),
    status,
    userId: Ids.UserId.make("user_1"),
    actor: { sub: "user_2" },
    createdAt: 1,
    updatedAt: 1
  })

describe("ClerkClient holds the operations", () => {
  it.effect("a Layer.succeed of the service replaces the client: the accessors run it, with no HTTP at all", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const Replaced = Layer.succeed(
        ClerkClient.ClerkClient,
        ClerkClient.ClerkClient.of({
          actorTokens: {
            create: (params) => Effect.sync(() => (seen.push(`create ${params.userId}`), token("pending"))),
            revoke: (id) =>
              id === "act_gone"
                ? Effect.fail(new ClerkError.ClerkNotFound({ status: 404, errors: [], message: "gone" }))
                : Effect.sync(() => (seen.push(`revoke ${id}`), token("revoked")))
          },
          sessions: {
            list: () => Effect.succeed({ data: [] }),
            get: (id) => Effect.fail(new ClerkError.ClerkNotFound({ status: 404, errors: [], message: id })),
            revoke: (id) => Effect.fail(new ClerkError.ClerkNotFound({ status: 404, errors: [], message: id })),
            createToken: (id) => Effect.succeed(Redacted.make(`jwt for ${id}`))
          },
          jwks: { get: () => Effect.succeed({ keys: [] }) }
        })
      )
      const created = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(
        Effect.provide(Replaced)
      )
      const revoked = yield* ActorTokens.revoke("act_1").pipe(Effect.provide(Replaced))
      const missing = yield* ActorTokens.revoke("act_gone").pipe(Effect.provide(Replaced), Effect.flip)
      expect(created.status).toBe("pending")
      expect(revoked.status).toBe("revoked")
      expect(missing._tag).toBe("ClerkNotFound")
      expect(seen).toEqual(["create user_1", "revoke act_1"])
      expect(yield* Impersonations.active({ userId: "user_1" }).pipe(Effect.provide(Replaced))).toEqual([])
      const jwt = yield* Sessions.createToken("sess_1").pipe(Effect.provide(Replaced))
      expect(Redacted.value(jwt)).toBe("jwt for sess_1")
      expect(yield* Jwks.get().pipe(Effect.provide(Replaced))).toEqual({ keys: [] })
    }))

  it.effect("the real service exposes the same operations as the accessors", () =>
    Effect.gen(function*() {
      const client = yield* ClerkClient.ClerkClient
      const direct = yield* client.actorTokens.revoke("act_1")
      const viaAccessor = yield* ActorTokens.revoke("act_1")
      expect(direct.status).toBe("revoked")
      expect(viaAccessor.status).toBe("revoked")
      expect(yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.count("revoke"))).toBe(2)
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.actorToken({ status: "revoked" }) }))))
})

describe("trace context", () => {
  const traceHeaders = (options: Partial<ClerkClient.Options>) =>
    Effect.gen(function*() {
      yield* ActorTokens.revoke("act_1").pipe(Effect.withSpan("caller"))
      const [request] = yield* Effect.flatMap(Mock.MockRecorder, (recorder) => recorder.requests)
      expect(request).toBeDefined()
      return Object.keys(request!.headers).filter((name) => name === "traceparent" || name === "b3")
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.actorToken({ status: "revoked" }) }, options)))

  it.effect("is not sent to Clerk by default", () =>
    Effect.gen(function*() {
      expect(yield* traceHeaders({})).toEqual([])
    }))

  it.effect("is sent with propagateTraceContext: true", () =>
    Effect.gen(function*() {
      expect((yield* traceHeaders({ propagateTraceContext: true })).sort()).toEqual(["b3", "traceparent"])
    }))
})

describe("ClerkClient.layerConfig with Configs of your own", () => {
  const revokeWith = (options: ClerkClient.ConfigOptions, env: Record<string, string>) =>
    Effect.gen(function*() {
      const { httpClient, recorder } = yield* Mock.make({
        revoke: [Mock.respond(503), Mock.respond(503), Mock.respond(503), Mock.actorToken({ status: "revoked" })]
      })
      const fiber = yield* ActorTokens.revoke("act_1").pipe(
        Effect.provide(
          ClerkClient.layerConfig(options).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)))
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
        Effect.exit,
        Effect.fork
      )
      yield* TestClock.adjust("1 minute") // the retries' backoff
      const exit = yield* Fiber.join(fiber)
      return { exit, requests: yield* recorder.requests }
    })

  it.effect("reads the key and any option from the Configs given, other names included", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* revokeWith(
        {
          secretKey: Config.redacted("BACKOFFICE_CLERK_KEY"),
          apiUrl: Config.string("BACKOFFICE_CLERK_URL"),
          maxRetries: Config.integer("BACKOFFICE_CLERK_RETRIES"),
          maxRetryAfter: "1 second",
          timeout: "1 second"
        },
        {
          BACKOFFICE_CLERK_KEY: "sk_test_backoffice",
          BACKOFFICE_CLERK_URL: "http://127.0.0.1:4011/clerk-proxy",
          BACKOFFICE_CLERK_RETRIES: "3"
        }
      )
      expect(exit._tag).toBe("Success")
      expect(requests).toHaveLength(4) // three retries, read from BACKOFFICE_CLERK_RETRIES
      expect(requests[0]!.path).toBe("/clerk-proxy/v1/actor_tokens/act_1/revoke")
      expect(requests[0]!.authorization && Redacted.value(requests[0]!.authorization)).toBe("Bearer sk_test_backoffice")
    }))

  it.effect("keeps the CLERK_* names for what is not given, and plain values as before", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* revokeWith({ maxRetries: 0 }, {
        CLERK_SECRET_KEY: "sk_test_default_names",
        CLERK_API_URL: "http://127.0.0.1:4012"
      })
      expect(exit._tag).toBe("Failure")
      expect(requests).toHaveLength(1)
      expect(requests[0]!.path).toBe("/v1/actor_tokens/act_1/revoke")
      expect(requests[0]!.authorization && Redacted.value(requests[0]!.authorization)).toBe(
        "Bearer sk_test_default_names"
      )
    }))

  it.effect("a Config that cannot be read fails the layer with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const { exit } = yield* revokeWith({ secretKey: Config.redacted("BACKOFFICE_CLERK_KEY") }, {
        CLERK_SECRET_KEY: "sk_test_not_this_one"
      })
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("BACKOFFICE_CLERK_KEY")
      expect(String(exit)).not.toContain("sk_test_not_this_one")
    }))
})
