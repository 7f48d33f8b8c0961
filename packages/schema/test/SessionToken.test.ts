import { Jwks, SessionToken } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted, Schema } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as YAML from "yaml"
import { at, inlineRefs, overTheWire, repoRoot, validator } from "./utils/spec.js"
import { subset } from "./utils/subset.js"

const fixturePath = path.join(repoRoot, "packages/schema/test/fixtures/session-tokens.openapi.yml")
const fullSpecPath = path.resolve(repoRoot, "../shared/clerk/2026-05-12.yml")
/** The subset as cut from the whole spec: checked even where the whole spec is not beside the repository. */
const fixtureSha256 = "eeb88b740f2e226777e4620f3027c0567aa8162a074c1834ae037bb5047f5bdf"
const operations: ReadonlyArray<readonly [string, string]> = [
  ["/jwks", "get"],
  ["/sessions/{session_id}/tokens", "post"]
]

const doc: unknown = YAML.parse(fs.readFileSync(fixturePath, "utf8"))
const inlined = (operation: string) => inlineRefs(at(operation, doc), [], doc)
const tokenOperation = "/paths/~1sessions~1{session_id}~1tokens/post"
const validateTokenBody = validator(at("/requestBody/content/application~1json/schema", inlined(tokenOperation)))
const validateToken = validator(at("/responses/200/content/application~1json/schema", inlined(tokenOperation)))
const validateJwks = validator(at("/responses/200/content/application~1json/schema", inlined("/paths/~1jwks/get")))

const decodeToken = Schema.decodeUnknownSync(SessionToken.SessionToken)
const encodeToken = Schema.encodeSync(SessionToken.SessionToken)
const decodeParams = Schema.decodeUnknownEither(SessionToken.CreateSessionTokenParams)
const encodeParams = Schema.encodeSync(SessionToken.CreateSessionTokenParams)
const decodeJwks = Schema.decodeUnknownSync(Jwks.Jwks)
const encodeJwks = Schema.encodeSync(Jwks.Jwks)

const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"

describe("the session-token spec fixture", () => {
  it("is exactly the JWKS and session-token operations of Clerk's whole spec, with every component they reference", () => {
    expect(createHash("sha256").update(fs.readFileSync(fixturePath)).digest("hex")).toBe(fixtureSha256)
    if (!fs.existsSync(fullSpecPath)) {
      console.warn(`SessionToken.test.ts: ${fullSpecPath} is not beside the repository; checked by hash only`)
      return
    }
    const full = YAML.parse(fs.readFileSync(fullSpecPath, "utf8"), { maxAliasCount: -1 }) as Record<string, unknown>
    expect(doc).toEqual(subset(full, operations))
  })
})

describe("SessionToken.SessionToken", () => {
  it("decodes Clerk's answer with the jwt as a Redacted that never prints", () => {
    const wire = { object: "token", jwt }
    expect(validateToken(wire)).toEqual([])
    const token = decodeToken(wire)
    expect(Redacted.value(token.jwt)).toBe(jwt)
    expect(String(token)).not.toContain(jwt)
    expect(JSON.stringify(token)).not.toContain(jwt)
    expect(overTheWire(encodeToken(token))).toEqual(wire)
    expect(validateToken(encodeToken(token))).toEqual([])
  })

  it("ignores unknown fields, reads a missing `object` as token, and refuses a missing or non-string jwt", () => {
    expect(Redacted.value(decodeToken({ jwt, later: 1 }).jwt)).toBe(jwt)
    expect(decodeToken({ jwt }).object).toBe("token")
    expect(() => decodeToken({ object: "token" })).toThrow()
    expect(() => decodeToken({ object: "token", jwt: 1 })).toThrow()
    expect(() => decodeToken({ object: "session", jwt })).toThrow()
  })
})

describe("SessionToken.CreateSessionTokenParams", () => {
  it("writes expires_in_seconds only when given, and the bodies are the spec's", () => {
    expect(encodeParams({})).toEqual({})
    expect(encodeParams({ expiresInSeconds: 600 })).toEqual({ expires_in_seconds: 600 })
    expect(validateTokenBody(encodeParams({ expiresInSeconds: 600 }))).toEqual([])
    expect(validateTokenBody({})).toEqual([])
  })

  it("accepts 30 to 315360000 whole seconds, and reads null as not given", () => {
    for (const seconds of [30, 60, 315_360_000]) {
      expect(decodeParams({ expires_in_seconds: seconds })).toEqual(Either.right({ expiresInSeconds: seconds }))
      expect(validateTokenBody({ expires_in_seconds: seconds })).toEqual([])
    }
    expect(decodeParams({ expires_in_seconds: null })).toEqual(Either.right({}))
    expect(validateTokenBody({ expires_in_seconds: null })).toEqual([])
  })

  it("refuses what the spec refuses: below 30, above 315360000, fractions, strings", () => {
    for (const value of [29, 0, -1, 315_360_001, 60.5, "60"]) {
      expect(Either.isLeft(decodeParams({ expires_in_seconds: value }))).toBe(true)
      expect(validateTokenBody({ expires_in_seconds: value })).not.toEqual([])
    }
  })
})

describe("Jwks.Jwks", () => {
  const rsa = {
    kid: "ins_2EL6mQKzeUtoRwGuLZsznyfkIsH",
    alg: "RS256",
    use: "sig",
    kty: "RSA",
    n: "xjlCRBqkOJIzyDyddLEmKpJx7Vpv4cKd-u3XqXcoURA9Aj6dDldXOcHaJUfiPwgl2QD1yAT39LNQKr3fGHZLdDR1_FijJj0LDPrr7xZQN",
    e: "AQAB",
    "x5t#S256": "thumbprint"
  }
  const ec = { kid: "ins_ec", alg: "ES256", use: "sig", kty: "EC", crv: "P-256", x: "eA", y: "eQ" }

  it("keeps every key, whatever its type, and every field of each", () => {
    const wire = { keys: [rsa, ec] }
    expect(validateJwks(wire)).toEqual([])
    const set = decodeJwks(wire)
    expect(set.keys).toEqual([rsa, ec])
    expect(overTheWire(encodeJwks(set))).toEqual(wire)
  })

  it("ignores unknown top-level fields; a key without kid, alg, use or kty is refused", () => {
    expect(decodeJwks({ keys: [], next: 1 }, { onExcessProperty: "ignore" }).keys).toEqual([])
    for (const field of ["kid", "alg", "use", "kty"] as const) {
      const { [field]: _, ...missing } = rsa
      expect(() => decodeJwks({ keys: [missing] })).toThrow()
    }
  })
})
