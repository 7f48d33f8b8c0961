import { ActorTokens, ClerkError } from "@effect-clerk/client"
import { Mock } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

const cannotBeRevoked = {
  errors: [{
    code: "actor_token_cannot_be_revoked_code",
    message: "cannot revoke actor token",
    long_message: "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
  }]
}

const statusErrors: ReadonlyArray<ClerkError.ClerkStatusError> = [
  new ClerkError.ClerkBadRequest({ status: 400, errors: [], message: "" }),
  new ClerkError.ClerkUnauthorized({ status: 401, errors: [], message: "" }),
  new ClerkError.ClerkPaymentRequired({ status: 402, errors: [], message: "" }),
  new ClerkError.ClerkForbidden({ status: 403, errors: [], message: "" }),
  new ClerkError.ClerkNotFound({ status: 404, errors: [], message: "" }),
  new ClerkError.ClerkUnprocessableEntity({ status: 422, errors: [], message: "" }),
  new ClerkError.ClerkRateLimited({ status: 429, errors: [], message: "" }),
  new ClerkError.ClerkServerError({ status: 500, errors: [], message: "" }),
  new ClerkError.ClerkUnexpectedStatus({ status: 418, errors: [], message: "" })
]

describe("ClerkError.isClerkStatusError", () => {
  it("holds for each of the nine status errors, and for one decoded from its encoded form", () => {
    for (const error of statusErrors) expect(ClerkError.isClerkStatusError(error)).toBe(true)
    const encoded = Schema.encodeSync(ClerkError.ClerkError)(statusErrors[4]!)
    const decoded = Schema.decodeUnknownSync(ClerkError.ClerkStatusError)(encoded)
    expect(ClerkError.isClerkStatusError(decoded)).toBe(true)
    expect(ClerkError.ClerkStatusError.members).toHaveLength(statusErrors.length)
  })

  it("does not hold for the errors without a status, nor for look-alikes", () => {
    expect(ClerkError.isClerkStatusError(new ClerkError.ClerkInvalidInput({ message: "x" }))).toBe(false)
    expect(ClerkError.isClerkStatusError(new ClerkError.ClerkTransportError({ reason: "Timeout", message: "x" })))
      .toBe(false)
    expect(
      ClerkError.isClerkStatusError(
        new ClerkError.ClerkDecodeError({ status: 200, reason: "InvalidJson", message: "" })
      )
    ).toBe(false)
    expect(ClerkError.isClerkStatusError({ _tag: "ClerkNotFound" })).toBe(false)
    expect(ClerkError.isClerkStatusError(null)).toBe(false)
    expect(ClerkError.isClerkStatusError("ClerkNotFound")).toBe(false)
  })

  it.effect("maps any status error in one catchIf, and lets the others through", () =>
    Effect.gen(function*() {
      const status = yield* ActorTokens.revoke("act_1").pipe(
        Effect.map(() => 0),
        Effect.catchIf(ClerkError.isClerkStatusError, (error) => Effect.succeed(error.status))
      )
      expect(status).toBe(400)
      const invalid = yield* ActorTokens.revoke("act_1/../x").pipe(
        Effect.catchIf(ClerkError.isClerkStatusError, () => Effect.die("not a status error")),
        Effect.flip
      )
      expect(invalid._tag).toBe("ClerkInvalidInput")
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.respond(400, cannotBeRevoked) }))))
})

describe("ClerkError.hasCode", () => {
  it.effect("finds a code among Clerk's entries, data-first and data-last", () =>
    Effect.gen(function*() {
      const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip)
      expect(ClerkError.hasCode(error, "actor_token_cannot_be_revoked_code")).toBe(true)
      expect(ClerkError.hasCode("actor_token_cannot_be_revoked_code")(error)).toBe(true)
      expect(ClerkError.hasCode(error, "resource_not_found")).toBe(false)
      expect(ClerkError.hasCode(error, "a_code_clerk_adds_later")).toBe(false)
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.respond(400, cannotBeRevoked) }))))

  it.effect("looks at every entry, not only the first", () =>
    Effect.gen(function*() {
      const error = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(Effect.flip)
      expect(ClerkError.hasCode(error, "form_param_missing")).toBe(true)
      expect(ClerkError.hasCode(error, "form_param_unknown")).toBe(true)
    }).pipe(Effect.provide(Mock.layer({
      create: Mock.respond(422, {
        errors: [
          { code: "form_param_missing", message: "missing", long_message: "actor.sub must be included." },
          { code: "form_param_unknown", message: "unknown", long_message: "x is not a valid parameter." }
        ]
      })
    }))))

  it("is false for errors that carry no Clerk entries, and for values that are not errors", () => {
    expect(
      ClerkError.hasCode(new ClerkError.ClerkInvalidInput({ message: "resource_not_found" }), "resource_not_found")
    )
      .toBe(false)
    expect(ClerkError.hasCode({ _tag: "ClerkNotFound", errors: "resource_not_found" }, "resource_not_found")).toBe(
      false
    )
    expect(ClerkError.hasCode(undefined, "resource_not_found")).toBe(false)
  })

  it.effect("recovers from one code in a catchIf; any other failure still fails", () =>
    Effect.gen(function*() {
      const cancel = (id: string) =>
        ActorTokens.revoke(id).pipe(
          Effect.as("revoked" as const),
          Effect.catchIf(ClerkError.hasCode("actor_token_cannot_be_revoked_code"), () => Effect.succeed("not pending"))
        )
      expect(yield* cancel("act_used")).toBe("not pending")
      const other = yield* Effect.flip(cancel("act_missing"))
      expect(other._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(Mock.layer({
      revoke: [
        Mock.respond(400, cannotBeRevoked),
        Mock.respond(404, { errors: [{ code: "resource_not_found", message: "not found", long_message: "" }] })
      ]
    }))))

  it("KnownCode lists the documented codes and refuses others", () => {
    expect(Schema.is(ClerkError.KnownCode)("impersonation_limit_exceeded")).toBe(true)
    expect(Schema.is(ClerkError.KnownCode)("too_many_requests")).toBe(true)
    expect(Schema.is(ClerkError.KnownCode)("made_up_code")).toBe(false)
  })
})
