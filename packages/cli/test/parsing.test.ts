import { ClerkError } from "@effect-clerk/client"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, Option, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as CliError from "../src/CliError.js"
import * as ExitCode from "../src/ExitCode.js"
import * as InternalClaims from "../src/internal/claims.js"
import * as InternalDuration from "../src/internal/duration.js"
import * as InternalIdsFile from "../src/internal/idsFile.js"
import { version } from "../src/internal/version.js"

describe("durations", () => {
  it("reads 90s, 10m, 1h, 1h30m, 2d and plain seconds as whole seconds", () => {
    const cases: ReadonlyArray<[string, number]> = [
      ["90s", 90],
      ["10m", 600],
      ["1h", 3600],
      ["1h30m", 5400],
      ["2d", 172_800],
      ["600", 600],
      [" 10M ", 600]
    ]
    for (const [input, seconds] of cases) {
      expect(Schema.decodeSync(InternalDuration.HumanSeconds)(input)).toBe(seconds)
    }
  })

  it("refuses fractions, zero, negatives, unknown units and empty text", () => {
    for (const input of ["1.5h", "0", "0m", "-5", "10 minutes", "", "m", "1h1h", "99999999999999999999"]) {
      expect(Either.isLeft(Schema.decodeEither(InternalDuration.HumanSeconds)(input))).toBe(true)
    }
  })

  it("writes seconds back the way it reads them", () => {
    for (const seconds of [1, 59, 60, 600, 3600, 5400, 86_400, 90_061]) {
      const text = InternalDuration.formatSeconds(seconds)
      expect(InternalDuration.parseSeconds(text)).toEqual(Option.some(seconds))
    }
  })

  it("reads a rate as n per window", () => {
    const decode = Schema.decodeEither(InternalDuration.RateFromString)
    expect(decode("10/1s")).toEqual(Either.right({ limit: 10, interval: Duration.seconds(1) }))
    expect(decode("100/10s")).toEqual(Either.right({ limit: 100, interval: Duration.seconds(10) }))
    expect(decode("5/s")).toEqual(Either.right({ limit: 5, interval: Duration.seconds(1) }))
    expect(decode("600/1m")).toEqual(Either.right({ limit: 600, interval: Duration.minutes(1) }))
    for (const input of ["0/1s", "10", "10/0s", "a/1s", "10/1x", "1.5/1s"]) {
      expect(Either.isLeft(decode(input))).toBe(true)
    }
  })
})

describe("claims", () => {
  const decode = Schema.decodeEither(InternalClaims.ClaimFromString)

  it("key=value is a string, = included; key:=json is any JSON value", () => {
    expect(decode("reason=ticket 12=ab")).toEqual(Either.right({ key: "reason", value: "ticket 12=ab" }))
    expect(decode("empty=")).toEqual(Either.right({ key: "empty", value: "" }))
    expect(decode("n:=3")).toEqual(Either.right({ key: "n", value: 3 }))
    expect(decode("vip:=true")).toEqual(Either.right({ key: "vip", value: true }))
    expect(decode("tags:=[\"a\",{\"b\":null}]")).toEqual(Either.right({ key: "tags", value: ["a", { b: null }] }))
    expect(decode("s:=\"3\"")).toEqual(Either.right({ key: "s", value: "3" }))
  })

  it("refuses a missing =, an empty or odd key, invalid JSON", () => {
    for (const input of ["novalue", "=x", ":=3", "a b=c", "n:=nope", "n:={"]) {
      expect(Either.isLeft(decode(input))).toBe(true)
    }
  })

  it("refuses sub and repeated keys", () => {
    expect(InternalClaims.toActorClaims([{ key: "sub", value: "x" }])).toEqual(
      Either.left("--claim sub=… is not allowed: the actor's sub is --actor")
    )
    expect(Either.isLeft(InternalClaims.toActorClaims([{ key: "a", value: 1 }, { key: "a", value: 2 }]))).toBe(true)
    expect(InternalClaims.toActorClaims([{ key: "a", value: 1 }, { key: "b", value: "2" }])).toEqual(
      Either.right({ a: 1, b: "2" })
    )
  })

  it("keeps a __proto__ key as an own key, for the client to refuse", () => {
    const claims = Either.getOrThrow(InternalClaims.toActorClaims([{ key: "__proto__", value: "x" }]))
    expect(Object.hasOwn(claims, "__proto__")).toBe(true)
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype)
  })
})

describe("ids files", () => {
  it("skips blank lines and comments, keeps order, counts repeats", () => {
    const file = InternalIdsFile.parse("# header\nact_1\n\n  act_2  # note\r\nact_1\n#act_3\n")
    expect(file).toEqual(Either.right({ ids: ["act_1", "act_2"], duplicates: 1 }))
  })

  it("refuses the whole file for one invalid line, naming the lines", () => {
    const file = InternalIdsFile.parse("act_1\nact 2\nact_3/x\n")
    expect(Either.isLeft(file)).toBe(true)
    expect(Either.getLeft(file).pipe(Option.getOrThrow)).toMatch(/^2 line\(s\).*line 2: "act 2"; line 3: "act_3\/x"$/)
  })
})

describe("exit codes and messages", () => {
  const status = { status: 400, errors: [], message: "m" }
  const entry = (code: string) => ({ code, message: "msg", longMessage: "Long\nmessage." })
  const cases: ReadonlyArray<[CliError.CliError, ExitCode.ExitCode]> = [
    [new CliError.BulkRevokeIncomplete({ failed: 1, total: 3 }), 1],
    [new CliError.UsageError({ message: "bad" }), 2],
    [new ClerkError.ClerkInvalidInput({ message: "bad id" }), 2],
    [new CliError.ConfigurationError({ message: "no key" }), 3],
    [new ClerkError.ClerkUnauthorized({ ...status, status: 401 }), 4],
    [new ClerkError.ClerkForbidden({ ...status, status: 403 }), 4],
    [new ClerkError.ClerkNotFound({ ...status, status: 404 }), 5],
    [new ClerkError.ClerkBadRequest({ ...status, errors: [entry("actor_token_cannot_be_revoked_code")] }), 6],
    [new ClerkError.ClerkPaymentRequired({ ...status, status: 402 }), 6],
    [new ClerkError.ClerkUnprocessableEntity({ ...status, status: 422 }), 6],
    [new ClerkError.ClerkRateLimited({ ...status, status: 429, retryAfter: Duration.seconds(90) }), 7],
    [new ClerkError.ClerkServerError({ ...status, status: 503 }), 8],
    [new ClerkError.ClerkUnexpectedStatus({ ...status, status: 409 }), 8],
    [new ClerkError.ClerkTransportError({ reason: "ConnectionRefused", message: "refused" }), 8],
    [new ClerkError.ClerkDecodeError({ status: 200, reason: "InvalidJson", message: "not JSON" }), 8]
  ]

  it("maps every failure to its documented code, and describes it on one line", () => {
    for (const [error, code] of cases) {
      expect(ExitCode.fromError(error)).toBe(code)
      expect(ExitCode.table.some(([documented]) => documented === code)).toBe(true)
      expect(CliError.describe(error)).not.toMatch(/\n/)
    }
  })

  it("quotes Clerk's status, code and trace id", () => {
    const error = new ClerkError.ClerkBadRequest({
      ...status,
      errors: [entry("actor_token_cannot_be_revoked_code")],
      message: "Actor token cannot be\nrevoked.",
      clerkTraceId: "trace_1"
    })
    expect(CliError.describe(error)).toBe(
      "Clerk refused the request (400 actor_token_cannot_be_revoked_code): Actor token cannot be revoked. " +
        "[clerk_trace_id trace_1]"
    )
    expect(CliError.describe(cases[10]![0])).toContain("Clerk asked to wait 1m 30s")
  })

  it("documents each code once", () => {
    const codes = ExitCode.table.map(([code]) => code)
    expect(new Set(codes).size).toBe(codes.length)
    expect([...codes].sort((a, b) => a - b)).toEqual(Object.values(ExitCode.ExitCode).sort((a, b) => a - b))
  })
})

it("the README documents every exit code", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
  for (const [code] of ExitCode.table) expect(readme).toContain(`\n| ${code} | `)
})

it("the version is the one in package.json", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  expect(version).toBe(manifest.version)
})
