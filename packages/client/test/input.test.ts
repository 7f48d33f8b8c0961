import { ActorTokens } from "@effect-clerk/client"
import { Mock } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const MockLive = Mock.layer({ create: Mock.actorToken(), revoke: Mock.actorToken({ status: "revoked" }) })

const refusedWithoutRequest = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    const recorder = yield* Mock.MockRecorder
    expect(error._tag).toBe("ClerkInvalidInput")
    expect(yield* recorder.count()).toBe(0)
    return error.message
  })

describe("revoke refuses ids that could alter the URL, sending nothing", () => {
  const bad = [
    "",
    "../x",
    "a/b",
    "a?b",
    "a#b",
    "%2e%2e",
    "act_1?x=1",
    "act_1#",
    "ünïcødé",
    "act 1",
    " act_1",
    "act_1\n",
    "act_1\r\nX-Injected: 1",
    "a".repeat(129),
    "act_1/revoke"
  ]
  for (const id of bad) {
    it.effect(`refuses ${JSON.stringify(id.length > 20 ? `${id.slice(0, 20)}…` : id)}`, () =>
      refusedWithoutRequest(ActorTokens.revoke(id)).pipe(Effect.provide(MockLive)))
  }

  it.effect("refuses a non-string id from untyped code", () =>
    refusedWithoutRequest(ActorTokens.revoke(42 as unknown as string)).pipe(Effect.provide(MockLive)))

  it.effect("sends a valid id as one path segment", () =>
    Effect.gen(function*() {
      yield* ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
      const [request] = yield* Effect.flatMap(Mock.MockRecorder, (r) => r.requests)
      expect(request?.path).toBe("/v1/actor_tokens/act_2EL6mQKzeUtoRwGuLZsznyfkIsH/revoke")
    }).pipe(Effect.provide(MockLive)))
})

describe("create refuses invalid params, sending nothing", () => {
  const cases: ReadonlyArray<[string, unknown, string]> = [
    ["an empty userId", { userId: "", actor: { sub: "user_2" } }, "userId"],
    ["a userId with a slash", { userId: "user/1", actor: { sub: "user_2" } }, "userId"],
    ["a missing actor", { userId: "user_1" }, "actor"],
    ["a missing actor.sub", { userId: "user_1", actor: { role: "support" } }, "actor.sub"],
    ["an empty actor.sub", { userId: "user_1", actor: { sub: "" } }, "actor.sub"],
    ["a zero expiresInSeconds", { userId: "user_1", actor: { sub: "u" }, expiresInSeconds: 0 }, "expiresInSeconds"],
    [
      "a negative duration",
      { userId: "user_1", actor: { sub: "u" }, sessionMaxDurationInSeconds: -5 },
      "sessionMaxDurationInSeconds"
    ],
    ["a fractional duration", { userId: "user_1", actor: { sub: "u" }, expiresInSeconds: 1.5 }, "expiresInSeconds"],
    ["a NaN duration", { userId: "user_1", actor: { sub: "u" }, expiresInSeconds: Number.NaN }, "expiresInSeconds"],
    ["a string duration", { userId: "user_1", actor: { sub: "u" }, expiresInSeconds: "600" }, "expiresInSeconds"],
    ["an unknown parameter", { userId: "user_1", actor: { sub: "u" }, expiresIn: 600 }, "expiresIn"],
    ["a claim that is not JSON (bigint)", { userId: "user_1", actor: { sub: "u", n: 1n } }, "actor.n"],
    ["a claim that is not JSON (Infinity)", { userId: "user_1", actor: { sub: "u", n: Infinity } }, "actor.n"],
    ["a claim that is not JSON (function)", { userId: "user_1", actor: { sub: "u", f: () => 1 } }, "actor.f"],
    ["a claim that is undefined", { userId: "user_1", actor: { sub: "u", x: undefined } }, "actor.x"],
    ["a claim that is a Date", { userId: "user_1", actor: { sub: "u", at: new Date(0) } }, "actor.at"],
    ["a claim that is a Map", { userId: "user_1", actor: { sub: "u", m: new Map([["k", 1]]) } }, "actor.m"],
    ["a __proto__ claim", { userId: "user_1", actor: JSON.parse("{\"sub\":\"u\",\"__proto__\":{\"x\":1}}") }, "actor"],
    ["null params", null, ""]
  ]
  for (const [name, params, field] of cases) {
    it.effect(`refuses ${name}`, () =>
      Effect.gen(function*() {
        const message = yield* refusedWithoutRequest(ActorTokens.create(params as ActorTokens.CreateParams))
        expect(message).toContain(field)
      }).pipe(Effect.provide(MockLive)))
  }

  it.effect("refuses a cyclic claim with a typed error, not a defect", () =>
    Effect.gen(function*() {
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      yield* refusedWithoutRequest(ActorTokens.create({ userId: "user_1", actor: { sub: "u", cyclic } }))
    }).pipe(Effect.provide(MockLive)))
})
