import { ActorTokens, type ClerkClient } from "@effect-clerk/client"
import { Mock, Observe } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted, TestClock } from "effect"
import * as util from "node:util"

const KEY = "sk_test_SENTINEL_KEY_7f3a9c"
const TICKET = "SENTINEL_TICKET_b81e"
const URL_TICKET = `https://accounts.example.test/v1/tickets/accept?ticket=${TICKET}`

const credentials = { token: Redacted.make(TICKET), url: Redacted.make(URL_TICKET) }

const scenarios: ReadonlyArray<[string, Mock.Reply]> = [
  ["success", Mock.actorToken(credentials)],
  ["400", Mock.clerkError(400, "actor_token_cannot_be_revoked_code", "Only pending tokens can be revoked.")],
  ["401", Mock.clerkError(401, "authentication_invalid", "Invalid key")],
  ["402", Mock.respond(402)],
  ["403", Mock.respond(403)],
  ["404", Mock.clerkError(404, "resource_not_found", "not found")],
  ["422", Mock.clerkError(422, "form_param_missing", "actor.sub must be included.")],
  ["429", Mock.respond(429, undefined, { headers: { "retry-after": "3600" } })],
  ["500", Mock.respond(500)],
  ["418", Mock.respond(418)],
  ["reset", Mock.fail("ECONNRESET")],
  ["refused", Mock.fail("ECONNREFUSED")],
  ["stall", Mock.stall],
  ["wrong shape with credentials", Mock.respond(200, { id: "act_1", status: "bogus", token: TICKET, url: URL_TICKET })],
  ["truncated JSON with credentials", Mock.respond(200, `{"token":"${TICKET}","url":"${URL_TICKET}`)]
]

const renderings = (exit: Exit.Exit<unknown, unknown>): ReadonlyArray<string> =>
  Exit.match(exit, {
    onSuccess: (value) => [String(value), JSON.stringify(value), util.inspect(value, { depth: Infinity })],
    onFailure: (cause) => {
      const error = Cause.squash(cause) as Error
      return [
        String(error),
        error.message,
        JSON.stringify(error),
        util.inspect(error, { depth: Infinity }),
        Cause.pretty(cause),
        util.inspect(cause, { depth: Infinity })
      ]
    }
  })

describe("no secret in errors, logs or spans", () => {
  for (const [name, reply] of scenarios) {
    for (const operation of ["create", "revoke"] as const) {
      it.effect(`${operation} · ${name}`, () =>
        Effect.gen(function*() {
          const call: Effect.Effect<unknown, unknown, ClerkClient.ClerkClient> = operation === "create"
            ? ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
            : ActorTokens.revoke("act_1")
          const fiber = yield* Effect.fork(Effect.exit(call.pipe(Effect.tapErrorCause(Effect.logError))))
          yield* TestClock.adjust("5 minutes")
          const exit = yield* fiber.await.pipe(Effect.flatten)
          const captured = yield* Observe.Captured
          const text = yield* captured.text
          const spans = yield* captured.spans
          expect(spans.map((span) => span.name)).toContain(`ActorTokens.${operation}`)
          expect(spans.some((span) => span.kind === "client")).toBe(true)
          const logs = yield* captured.logs
          if (name !== "success") expect(logs.length).toBeGreaterThan(0)
          for (const rendered of [...renderings(exit), text]) {
            expect(rendered).not.toContain(KEY)
            expect(rendered).not.toContain(TICKET)
          }
        }).pipe(
          Effect.provide(Layer.merge(
            Mock.layer({ [operation]: reply }, { secretKey: Redacted.make(KEY), maxRetries: 1 }),
            Observe.layer
          ))
        ))
    }
  }

  it.effect("the operation span records operation, attempts and final status", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(ActorTokens.revoke("act_1"))
      yield* TestClock.adjust("1 minute")
      yield* fiber.await
      const spans = yield* Effect.flatMap(Observe.Captured, (c) => c.spans)
      const span = spans.find((s) => s.name === "ActorTokens.revoke")
      expect(span?.attributes.get("clerk.operation")).toBe("revoke")
      expect(span?.attributes.get("clerk.attempts")).toBe(2)
      expect(span?.attributes.get("http.response.status_code")).toBe(200)
      expect(spans.filter((s) => s.kind === "client")).toHaveLength(2)
    }).pipe(
      Effect.provide(Layer.merge(Mock.layer({ revoke: [Mock.respond(503), Mock.actorToken()] }), Observe.layer))
    ))
})
