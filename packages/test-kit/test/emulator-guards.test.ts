// The API-version and secret-key checks of the emulator, as pure functions of headers and URL: no HTTP.
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { checkApiVersion, checkAuthentication } from "../src/internal/emulator/guards.js"

const code = (entry: Option.Option<{ readonly code: string }>) => Option.map(entry, (e) => e.code)

describe("checkApiVersion", () => {
  it("passes no version, or one YYYY-MM-DD version as a header or a query parameter", () => {
    expect(checkApiVersion(undefined, "/v1/actor_tokens")).toEqual(Option.none())
    expect(checkApiVersion("2026-05-12", "/v1/actor_tokens")).toEqual(Option.none())
    expect(checkApiVersion(undefined, "/v1/actor_tokens?__clerk_api_version=2026-05-12")).toEqual(Option.none())
  })

  it("refuses a malformed version, or one sent both ways", () => {
    const banana = checkApiVersion("banana", "/v1/actor_tokens")
    expect(code(banana)).toEqual(Option.some("api_version_invalid"))
    expect(Option.map(banana, (e) => e.longMessage)).toEqual(Option.some("The API version banana is invalid."))
    expect(code(checkApiVersion(undefined, "/v1/x?__clerk_api_version=2026-5-12"))).toEqual(
      Option.some("api_version_invalid")
    )
    const both = checkApiVersion("2026-05-12", "/v1/x?__clerk_api_version=2026-05-12")
    expect(Option.map(both, (e) => e.longMessage)).toEqual(
      Option.some("Send the API version either as a header or as a query parameter, not both.")
    )
  })
})

describe("checkAuthentication", () => {
  const key = "sk_test_key"

  it.each([
    [undefined, "authentication_invalid"],
    ["", "authentication_invalid"],
    ["   ", "authentication_invalid"],
    ["Basic dXNlcjpwYXNz", "authorization_header_format_invalid"],
    ["Bearer", "authorization_header_format_invalid"],
    ["Bearer a b", "authorization_header_format_invalid"],
    ["Bearer sk_test_other", "clerk_key_invalid"]
  ])("%j: 401 %s", (header, expected) => {
    expect(code(checkAuthentication(header, key))).toEqual(Option.some(expected))
  })

  it.each(["Bearer sk_test_key", "bearer sk_test_key", "  Bearer   sk_test_key  "])("%j passes", (header) => {
    expect(checkAuthentication(header, key)).toEqual(Option.none())
  })
})
