/**
 * Clerk's own JS SDK, pointed at the loopback emulator with `apiUrl`, meets Clerk's documented behaviour: the token
 * shape, state changes, and the status and code of each error.
 */
import { createClerkClient } from "@clerk/backend"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"

interface ClerkApiError {
  readonly status: number
  readonly errors: ReadonlyArray<{ readonly code: string; readonly longMessage?: string }>
  readonly clerkTraceId?: string
}

const failure = (promise: () => Promise<unknown>) =>
  Effect.promise(() => promise().then(() => undefined, (error: unknown) => error as ClerkApiError))

/** A loopback emulator for the length of the test, and @clerk/backend pointed at it with `apiUrl`. */
const withBackend = <A>(
  options: EmulatorServer.Options,
  test: (clerk: ReturnType<typeof createClerkClient>, server: EmulatorServer.Service) => Effect.Effect<A>
) =>
  Effect.gen(function*() {
    const server = yield* EmulatorServer.make(options)
    return yield* test(createClerkClient({ secretKey: Emulator.defaultSecretKey, apiUrl: server.url }), server)
  }).pipe(Effect.scoped, Effect.orDie)

describe("@clerk/backend against the emulator", () => {
  it.live("create and revoke answer actor tokens; the emulator keeps their state", () =>
    withBackend({}, (clerk, server) =>
      Effect.gen(function*() {
        const created = yield* Effect.promise(() =>
          clerk.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" }, expiresInSeconds: 600 })
        )
        expect(created.id).toMatch(/^act_[A-Za-z0-9]{27}$/)
        expect(created.status).toBe("pending")
        expect(created.userId).toBe("user_target")
        expect(created.url).toBe(`${server.url}/v1/tickets/accept?ticket=${created.token}`)
        expect(typeof created.createdAt).toBe("number")

        const revoked = yield* Effect.promise(() => clerk.actorTokens.revoke(created.id))
        expect(revoked.status).toBe("revoked")
        const stored = yield* server.emulator.find(created.id)
        expect(Option.map(stored, (t) => t.status)).toEqual(Option.some("revoked"))
      })))

  it.live("revoking a token that is not pending: 400 actor_token_cannot_be_revoked_code", () =>
    withBackend({}, (clerk, server) =>
      Effect.gen(function*() {
        const created = yield* Effect.promise(() =>
          clerk.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" } })
        )
        yield* server.emulator.accept(created.id).pipe(Effect.orDie)
        const error = yield* failure(() => clerk.actorTokens.revoke(created.id))
        expect(error?.status).toBe(400)
        expect(error?.errors[0]?.code).toBe("actor_token_cannot_be_revoked_code")
        expect(error?.errors[0]?.longMessage).toBe(
          "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
        )
        expect(error?.clerkTraceId).toBeTruthy()
      })))

  it.live("unknown id 404, wrong key 401, quota 422, plan 402", () =>
    Effect.gen(function*() {
      yield* withBackend({ monthlyQuota: 1, impersonationOnPlan: true }, (clerk, server) =>
        Effect.gen(function*() {
          const notFound = yield* failure(() => clerk.actorTokens.revoke("act_doesnotexist"))
          expect([notFound?.status, notFound?.errors[0]?.code]).toEqual([404, "resource_not_found"])

          const wrongKey = createClerkClient({ secretKey: "sk_test_wrong", apiUrl: server.url })
          const unauthorized = yield* failure(() =>
            wrongKey.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" } })
          )
          expect(unauthorized?.status).toBe(401)

          yield* Effect.promise(() => clerk.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" } }))
          const overQuota = yield* failure(() =>
            clerk.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" } })
          )
          expect([overQuota?.status, overQuota?.errors[0]?.code]).toEqual([422, "impersonation_limit_exceeded"])
        }))
      yield* withBackend({ impersonationOnPlan: false }, (clerk) =>
        Effect.gen(function*() {
          const noPlan = yield* failure(() =>
            clerk.actorTokens.create({ userId: "user_target", actor: { sub: "user_staff" } })
          )
          expect(noPlan?.status).toBe(402)
        }))
    }))

  it.live("@clerk/backend nests typed extra claims under `additionalProperties`: the emulator keeps what was sent", () =>
    withBackend({}, (clerk) =>
      Effect.gen(function*() {
        // The known fault of @clerk/backend: the claim does not sit beside `sub`, so the session's `act` claim would
        // carry `additionalProperties.reason` instead of `reason`. The emulator stores the actor exactly as received.
        const token = yield* Effect.promise(() =>
          clerk.actorTokens.create({
            userId: "user_target",
            actor: { sub: "user_staff", additionalProperties: { reason: "ticket 1" } }
          })
        )
        expect(token.actor).toEqual({ sub: "user_staff", additionalProperties: { reason: "ticket 1" } })
      })))
})
