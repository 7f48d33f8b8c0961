// The example of README.md ("Testing an app against the emulator"), kept here so it cannot rot.
import { ActorTokens } from "@effect-clerk/client"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"

// The app: support staff impersonate a customer for ten minutes, and may cancel before the link is used.
const startImpersonation = (supportId: string, customerId: string) =>
  ActorTokens.create({ userId: customerId, actor: { sub: supportId }, expiresInSeconds: 600 })
const cancelImpersonation = (tokenId: string) => ActorTokens.revoke(tokenId)

layer(TestClerk.layer())("impersonation", (it) => {
  it.effect("starts and cancels an impersonation", () =>
    Effect.gen(function*() {
      const token = yield* startImpersonation("user_support", "user_customer")
      yield* cancelImpersonation(token.id)
      const emulator = yield* Emulator.Emulator
      const [stored] = yield* emulator.tokens
      expect(stored?.status).toBe("revoked")
      expect(stored?.actor).toEqual({ sub: "user_support" })
      expect(yield* emulator.requestCounts).toMatchObject({ create: 1, revoke: 1 })
    }))
})
