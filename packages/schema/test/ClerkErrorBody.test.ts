import { ClerkErrorBody } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Schema } from "effect"
import { hasProtoKey } from "./utils/arbitraries.js"
import { overTheWire, validateClerkErrors } from "./utils/spec.js"

const decode = Schema.decodeUnknownSync(ClerkErrorBody.ClerkErrorBody)
const decodeEither = Schema.decodeUnknownEither(ClerkErrorBody.ClerkErrorBody)
const encode = Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)
const arbitraryErrors = Arbitrary.make(ClerkErrorBody.ClerkErrorBody).filter((errors) => !hasProtoKey(errors))

const cannotBeRevoked = {
  code: "actor_token_cannot_be_revoked_code",
  message: "Actor token cannot be revoked",
  long_message: "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
}

const paramMissing = {
  code: "form_param_missing",
  message: "missing requested parameter",
  long_message: "actor.sub must be included.",
  meta: { param_name: "actor.sub" }
}

describe("decoding ClerkErrorBody.ClerkErrorBody", () => {
  it("decodes a body with meta and clerk_trace_id", () => {
    const json = { errors: [paramMissing], meta: { request: { id: 1 } }, clerk_trace_id: "4e6c8d1a2b3f" }
    expect(validateClerkErrors(json)).toEqual([])
    expect(decode(json)).toEqual({
      errors: [{
        code: "form_param_missing",
        message: "missing requested parameter",
        longMessage: "actor.sub must be included.",
        meta: { param_name: "actor.sub" }
      }],
      meta: { request: { id: 1 } },
      clerkTraceId: "4e6c8d1a2b3f"
    })
  })

  it("decodes a body without meta and clerk_trace_id, leaving them absent", () => {
    const json = { errors: [cannotBeRevoked] }
    expect(validateClerkErrors(json)).toEqual([])
    const errors = decode(json)
    expect(errors).toEqual({
      errors: [{
        code: cannotBeRevoked.code,
        message: cannotBeRevoked.message,
        longMessage: cannotBeRevoked.long_message
      }]
    })
    expect(Object.keys(errors)).toEqual(["errors"])
    expect(Object.keys(errors.errors[0]!).sort()).toEqual(["code", "longMessage", "message"])
  })

  it("decodes an entry without long_message, with longMessage \"\"", () => {
    const errors = decode({ errors: [{ code: "internal_clerk_error", message: "Oops, something went wrong" }] })
    expect(errors.errors[0]!.longMessage).toBe("")
    expect(errors.errors[0]!.code).toBe("internal_clerk_error")
  })

  it("decodes several entries, in order, and an empty list", () => {
    expect(decode({ errors: [cannotBeRevoked, paramMissing] }).errors.map((e) => e.code)).toEqual([
      "actor_token_cannot_be_revoked_code",
      "form_param_missing"
    ])
    expect(decode({ errors: [] }).errors).toEqual([])
  })

  it("ignores unknown fields", () => {
    const errors = decode({ errors: [{ ...cannotBeRevoked, hint: "x" }], status: 400 })
    expect(errors).toEqual(decode({ errors: [cannotBeRevoked] }))
  })

  it.each([
    ["a missing errors list", { clerk_trace_id: "x" }],
    ["errors that is not a list", { errors: cannotBeRevoked }],
    ["an entry without code", { errors: [{ message: "m", long_message: "l" }] }],
    ["an entry without message", { errors: [{ code: "c", long_message: "l" }] }],
    ["a numeric code", { errors: [{ ...cannotBeRevoked, code: 400 }] }],
    ["a null long_message", { errors: [{ ...cannotBeRevoked, long_message: null }] }],
    ["a non-object meta", { errors: [{ ...cannotBeRevoked, meta: "x" }] }],
    ["a numeric clerk_trace_id", { errors: [cannotBeRevoked], clerk_trace_id: 1 }],
    ["a plain-text body", "Internal Server Error"],
    ["null", null]
  ])("refuses %s", (_label, input) => {
    expect(Either.isLeft(decodeEither(input))).toBe(true)
  })
})

describe("encoding ClerkErrorBody.ClerkErrorBody", () => {
  it("writes Clerk's wire JSON, long_message always present", () => {
    const json = encode({
      errors: [{ code: "internal_clerk_error", message: "Oops", longMessage: "" }],
      clerkTraceId: "t"
    })
    expect(json).toEqual({
      errors: [{ code: "internal_clerk_error", message: "Oops", long_message: "" }],
      clerk_trace_id: "t"
    })
    expect(validateClerkErrors(json)).toEqual([])
  })

  it("writes back a decoded body as it came", () => {
    const json = { errors: [paramMissing, cannotBeRevoked], meta: {}, clerk_trace_id: "trace" }
    expect(encode(decode(json))).toEqual(json)
  })

  it.prop("writes bodies the spec's ClerkErrors schema accepts", [arbitraryErrors], ([errors]) => {
    const json = encode(errors)
    expect(validateClerkErrors(json)).toEqual([])
    expect(validateClerkErrors(overTheWire(json))).toEqual([])
    expect("meta" in json).toBe(errors.meta !== undefined)
    expect("clerk_trace_id" in json).toBe(errors.clerkTraceId !== undefined)
    expect(json.errors.every((entry) => typeof entry.long_message === "string")).toBe(true)
  })

  it.prop("decodes what it encodes", [arbitraryErrors], ([errors]) => {
    expect(decode(encode(errors))).toEqual(errors)
  })
})
