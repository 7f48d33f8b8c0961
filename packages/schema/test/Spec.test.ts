import { ActorToken } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import {
  at,
  componentSchema,
  createOperation,
  examples,
  fixturePath,
  requestBodySchema,
  responseBodySchema,
  revokeOperation,
  sharedSpecPath,
  validateActorToken,
  validateClerkError,
  validateClerkErrors,
  validateCreateBody
} from "./utils/spec.js"

const token = {
  object: "actor_token",
  id: "act_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  status: "pending",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  actor: { sub: "user_1" },
  token: "eyJ",
  url: "https://example.accounts.dev/v1/tickets/accept?ticket=eyJ",
  created_at: 1700000000000,
  updated_at: 1700000000000
}

/** The sha256 of the official spec subset (`shared/clerk/actor-tokens.openapi.yml`), recorded when it was copied. */
const officialSha256 = "86a28b7983e4ec96aab3fbc299ae05fc6119bd501f667b6accbf91e7920b6ccf"

const sha256 = (bytes: Buffer): string => crypto.createHash("sha256").update(bytes).digest("hex")

describe("the spec fixture", () => {
  it("is the verbatim copy of Clerk's spec subset, header comment included", () => {
    const copy = fs.readFileSync(fixturePath)
    expect(copy.toString("utf8")).toMatch(/^# Subset of Clerk Backend API OpenAPI spec: actor-token operations only\./)
    expect(copy.toString("utf8")).toContain("github.com/clerk/openapi-specs bapi/2026-05-12.yml")
    // The copy always matches the recorded hash of the official file; the file itself is compared too when it sits
    // beside the repository (`../shared`), which depends on where the repository was cloned.
    expect(sha256(copy)).toBe(officialSha256)
    if (fs.existsSync(sharedSpecPath)) {
      const official = fs.readFileSync(sharedSpecPath)
      expect(sha256(official)).toBe(officialSha256)
      expect(copy.equals(official)).toBe(true)
    } else {
      console.warn(
        `Spec.test.ts: ${sharedSpecPath} not found, so the fixture was checked against the recorded sha256 of the ` +
          "official spec only, not compared with the file itself"
      )
    }
  })

  it("declares the two actor-token operations and the three schemas the package models", () => {
    expect(at("/openapi")).toBe("3.0.3")
    expect(at("/info/version")).toBe("2026-05-12")
    expect(at(`${createOperation}/operationId`)).toBe("CreateActorToken")
    expect(at(`${revokeOperation}/operationId`)).toBe("RevokeActorToken")
    expect(Object.keys(at("/components/schemas") as object).sort()).toEqual(["ActorToken", "ClerkError", "ClerkErrors"])
  })

  it("has exactly one example, the create request's actor", () => {
    expect(examples()).toEqual([
      [`${createOperation}/requestBody/content/application~1json/schema/properties/actor`, {
        sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"
      }]
    ])
  })

  it("answers both operations with the ActorToken schema and every declared error with ClerkErrors", () => {
    const actorToken = componentSchema("ActorToken")
    const clerkErrors = componentSchema("ClerkErrors")
    expect(responseBodySchema(createOperation, "200")).toEqual(actorToken)
    expect(responseBodySchema(revokeOperation, "200")).toEqual(actorToken)
    for (const status of ["400", "402", "422"]) {
      expect(responseBodySchema(createOperation, status)).toEqual(clerkErrors)
    }
    for (const status of ["400", "404"]) {
      expect(responseBodySchema(revokeOperation, status)).toEqual(clerkErrors)
    }
    expect(() => requestBodySchema(revokeOperation)).toThrow()
  })

  it("lists the statuses and object tag that ActorToken.ActorTokenStatus and the encoder use", () => {
    expect(at("/components/schemas/ActorToken/properties/status/enum")).toEqual(ActorToken.ActorTokenStatus.literals)
    expect(at("/components/schemas/ActorToken/properties/object/enum")).toEqual(["actor_token"])
  })
})

// The conformance tests in the other files rely on these validators refusing what the spec refuses.
describe("the validators compiled from the spec", () => {
  it("accept a create body with only the required keys and refuse what the request schema forbids", () => {
    const body = { user_id: "user_1", actor: { sub: "user_2", extra: { a: [1] } } }
    expect(validateCreateBody(body)).toEqual([])
    expect(validateCreateBody({ ...body, expires_in_seconds: 60, session_max_duration_in_seconds: 60 })).toEqual([])
    expect(validateCreateBody({ ...body, expiresInSeconds: 60 })).not.toEqual([])
    expect(validateCreateBody({ user_id: "user_1" })).not.toEqual([])
    expect(validateCreateBody({ actor: { sub: "user_2" } })).not.toEqual([])
    expect(validateCreateBody({ ...body, actor: { id: "user_2" } })).not.toEqual([])
    expect(validateCreateBody({ ...body, actor: { sub: 2 } })).not.toEqual([])
    expect(validateCreateBody({ ...body, expires_in_seconds: 1.5 })).not.toEqual([])
    expect(validateCreateBody({ ...body, session_max_duration_in_seconds: "60" })).not.toEqual([])
  })

  it("accept a full ActorToken and refuse what the response schema forbids", () => {
    expect(validateActorToken(token)).toEqual([])
    const { token: _token, url: _url, ...withoutCredentials } = token
    expect(validateActorToken(withoutCredentials)).toEqual([])
    expect(validateActorToken({ ...token, token: null })).not.toEqual([])
    expect(validateActorToken({ ...token, url: null })).not.toEqual([])
    expect(validateActorToken({ ...token, actor: null })).not.toEqual([])
    expect(validateActorToken({ ...token, userId: token.user_id })).not.toEqual([])
    expect(validateActorToken({ ...token, status: "expired" })).not.toEqual([])
    expect(validateActorToken({ ...token, object: "user" })).not.toEqual([])
    expect(validateActorToken({ ...token, created_at: 1.5 })).not.toEqual([])
    const { object: _object, ...withoutObject } = token
    expect(validateActorToken(withoutObject)).not.toEqual([])
  })

  it("accept ClerkErrors bodies and refuse entries without long_message", () => {
    const entry = { code: "resource_not_found", message: "not found", long_message: "Resource not found" }
    expect(validateClerkError(entry)).toEqual([])
    expect(validateClerkErrors({ errors: [entry] })).toEqual([])
    expect(validateClerkErrors({ errors: [entry], meta: {}, clerk_trace_id: "abc" })).toEqual([])
    expect(validateClerkErrors({ errors: [{ code: "x", message: "y" }] })).not.toEqual([])
    expect(validateClerkErrors({ errors: [{ ...entry, meta: [] }] })).not.toEqual([])
    expect(validateClerkErrors({ errors: [entry], clerk_trace_id: 1 })).not.toEqual([])
    expect(validateClerkErrors({})).not.toEqual([])
  })
})
