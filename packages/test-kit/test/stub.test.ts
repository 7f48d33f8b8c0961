import { ActorTokens, ClerkError } from "@effect-clerk/client"
import { ActorToken, Ids } from "@effect-clerk/schema"
import { TestClerk } from "@effect-clerk/test-kit"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"

const revoked = ActorToken.ActorToken.make({
  object: "actor_token",
  id: Ids.ActorTokenId.make("act_stubbed"),
  status: "revoked",
  userId: Ids.UserId.make("user_1"),
  actor: { sub: "user_2" },
  createdAt: 1,
  updatedAt: 2
})

describe("TestClerk.stub", () => {
  it.effect("runs the operations given through the module-level accessors, with no HTTP", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const token = yield* ActorTokens.revoke("act_1").pipe(
        Effect.provide(TestClerk.stub({
          actorTokens: { revoke: (id) => Effect.sync(() => (ids.push(id), revoked)) }
        }))
      )
      expect(token).toBe(revoked)
      expect(ids).toEqual(["act_1"])
    }))

  it.effect("passes typed failures of a stubbed operation through unchanged", () =>
    Effect.gen(function*() {
      const error = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(
        Effect.provide(TestClerk.stub({
          actorTokens: {
            create: () => Effect.fail(new ClerkError.ClerkServerError({ status: 503, errors: [], message: "down" }))
          }
        })),
        Effect.flip
      )
      // Plain fields: an error failed inside a span is a Proxy that `toMatchObject` cannot diff.
      expect({ _tag: error._tag, status: "status" in error ? error.status : undefined }).toEqual({
        _tag: "ClerkServerError",
        status: 503
      })
    }))

  it.effect("an operation that was not given dies with a defect naming it", () =>
    Effect.gen(function*() {
      const exit = yield* ActorTokens.revoke("act_1").pipe(
        Effect.provide(TestClerk.stub({ actorTokens: { create: () => Effect.die("unused") } })),
        Effect.exit
      )
      assert(Exit.isFailure(exit) && Cause.isDie(exit.cause), "expected a defect")
      expect(Cause.pretty(exit.cause)).toContain("ClerkClient stub: actorTokens.revoke was not stubbed")
      const empty = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(
        Effect.provide(TestClerk.stub()),
        Effect.exit
      )
      expect(Exit.isFailure(empty) && Cause.pretty(empty.cause)).toContain(
        "ClerkClient stub: actorTokens.create was not stubbed"
      )
    }))
})
