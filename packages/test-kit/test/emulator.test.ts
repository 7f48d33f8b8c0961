import { ActorTokens } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Duration, Effect, Option, Redacted, Schema, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { api, authed, decodeErrors, send, withClerk } from "./support.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)

const decodeToken = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))

const postCreate = (body: string) =>
  HttpClientRequest.post(api("/actor_tokens")).pipe(authed, HttpClientRequest.bodyText(body, "application/json"))

const createToken = (overrides: Partial<ActorTokens.CreateParams> = {}) =>
  ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" }, ...overrides })

describe("create", () => {
  it.effect("answers a pending token stamped with the Clock, and keeps it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const token = yield* createToken({
        actor: { sub: "user_admin", reason: "ticket #42", nested: { level: 2 } },
        expiresInSeconds: 600
      })
      expect(token.status).toBe("pending")
      expect(token.id).toMatch(/^act_[0-9A-Za-z]{27}$/)
      expect(token.userId).toBe("user_1")
      expect(token.actor).toEqual({ sub: "user_admin", reason: "ticket #42", nested: { level: 2 } })
      expect(token.createdAt).toBe(may12)
      expect(token.updatedAt).toBe(may12)
      assert(token.token != null && token.url != null)
      const ticket = Redacted.value(token.token)
      expect(Redacted.value(token.url)).toBe(`${Emulator.defaultBaseUrl}/v1/tickets/accept?ticket=${ticket}`)

      const emulator = yield* Emulator.Emulator
      const [stored] = yield* emulator.tokens
      assert(stored !== undefined)
      expect(stored.id).toBe(token.id)
      expect(stored.expiresAt).toBe(may12 + 600_000)
      expect(stored.sessionMaxDurationInSeconds).toBe(1800)
    }).pipe(withClerk()))

  it.effect("stamps whole milliseconds, even when the TestClock stands between two", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12 + 0.75)
      const token = yield* createToken()
      expect(token.createdAt).toBe(may12)
    }).pipe(withClerk()))

  it.effect("gives every token its own id and ticket", () =>
    Effect.gen(function*() {
      const tokens = yield* Effect.all([createToken(), createToken(), createToken()])
      expect(new Set(tokens.map((t) => t.id)).size).toBe(3)
      expect(new Set(tokens.map((t) => t.token && Redacted.value(t.token))).size).toBe(3)
    }).pipe(withClerk()))

  it.effect("applies Clerk's defaults: one hour to accept, 30 minute sessions", () =>
    Effect.gen(function*() {
      const token = yield* createToken({ sessionMaxDurationInSeconds: 900 })
      const stored = yield* Effect.flatMap(Emulator.Emulator, (e) => e.find(token.id))
      assert(Option.isSome(stored))
      expect(stored.value.expiresAt - stored.value.createdAt).toBe(3_600_000)
      expect(stored.value.sessionMaxDurationInSeconds).toBe(900)
    }).pipe(withClerk()))

  it.effect("encodes the success body with the ActorToken schema", () =>
    Effect.gen(function*() {
      const response = yield* send(postCreate(JSON.stringify({ user_id: "user_9", actor: { sub: "user_a" } })))
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toBe("application/json")
      const json = JSON.parse(response.text)
      expect(Object.keys(json).sort()).toEqual(
        ["actor", "created_at", "id", "object", "status", "token", "updated_at", "url", "user_id"]
      )
      expect(json.object).toBe("actor_token")
      expect(decodeToken(response.text).userId).toBe("user_9")
    }).pipe(withClerk()))
})

describe("revoke", () => {
  it.effect("moves a pending token to revoked, keeping token and url", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(may12)
      const created = yield* createToken()
      yield* TestClock.adjust("5 seconds")
      const revoked = yield* ActorTokens.revoke(created.id)
      expect(revoked.status).toBe("revoked")
      expect(revoked.createdAt).toBe(may12)
      expect(revoked.updatedAt).toBe(may12 + 5000)
      assert(revoked.token != null && created.token != null && revoked.url != null && created.url != null)
      expect(Redacted.value(revoked.token)).toBe(Redacted.value(created.token))
      expect(Redacted.value(revoked.url)).toBe(Redacted.value(created.url))
      const stored = yield* Effect.flatMap(Emulator.Emulator, (e) => e.find(created.id))
      expect(Option.map(stored, (t) => t.status)).toEqual(Option.some("revoked"))
    }).pipe(withClerk()))

  it.effect("refuses a token that is no longer pending: 400 actor_token_cannot_be_revoked_code", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const revoked = yield* createToken()
      yield* ActorTokens.revoke(revoked.id)
      const again = yield* Effect.flip(ActorTokens.revoke(revoked.id))
      assert(again._tag === "ClerkBadRequest")
      expect(again.status).toBe(400)
      expect(again.errors[0]?.code).toBe("actor_token_cannot_be_revoked_code")
      expect(again.message).toBe(
        "Actor token cannot be revoked because its status is revoked. Only pending tokens can be revoked."
      )

      const accepted = yield* createToken()
      yield* emulator.accept(accepted.id)
      const error = yield* Effect.flip(ActorTokens.revoke(accepted.id))
      assert(error._tag === "ClerkBadRequest")
      expect(error.message).toBe(
        "Actor token cannot be revoked because its status is accepted. Only pending tokens can be revoked."
      )
      const stored = yield* emulator.find(accepted.id)
      expect(Option.map(stored, (t) => t.status)).toEqual(Option.some("accepted"))
    }).pipe(withClerk({ client: { maxRetries: 0 } })))

  it.effect("answers 404 resource_not_found for an unknown id", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH"))
      assert(error._tag === "ClerkNotFound")
      expect(error.errors.map((e) => e.code)).toEqual(["resource_not_found"])
      expect(error.clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
    }).pipe(withClerk({ client: { maxRetries: 0 } })))
})

describe("accepting a ticket", () => {
  const open = (url: string) =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const response = yield* TestClerk.httpClient(emulator).get(url)
      return { status: response.status, type: response.headers["content-type"], text: yield* response.text }
    })

  it.effect("opening the url signs in as the user once", () =>
    Effect.gen(function*() {
      const token = yield* createToken({ userId: "user_target", actor: { sub: "user_support" } })
      assert(token.url != null)
      const url = Redacted.value(token.url)
      const first = yield* open(url)
      expect(first.status).toBe(200)
      expect(first.type).toBe("text/html; charset=utf-8")
      expect(first.text).toContain("Signed in as <strong>user_target</strong>")
      expect(first.text).toContain("impersonated by <strong>user_support</strong>")
      const emulator = yield* Emulator.Emulator
      expect(Option.map(yield* emulator.find(token.id), (t) => t.status)).toEqual(Option.some("accepted"))

      const second = yield* open(url)
      expect(second.status).toBe(400)
      expect(second.text).toContain("already been used")
      expect(yield* emulator.requestCount("accept")).toBe(2)
    }).pipe(withClerk()))

  it.effect("refuses an unknown, a missing or a revoked ticket", () =>
    Effect.gen(function*() {
      const unknown = yield* open(api("/tickets/accept?ticket=nope"))
      expect(unknown.status).toBe(404)
      const missing = yield* open(api("/tickets/accept"))
      expect(missing.status).toBe(400)
      const token = yield* createToken()
      yield* ActorTokens.revoke(token.id)
      assert(token.url != null)
      const revoked = yield* open(Redacted.value(token.url))
      expect(revoked.status).toBe(400)
      expect(revoked.text).toContain("revoked")
    }).pipe(withClerk()))

  it.effect("a pending token expires after expires_in_seconds", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const early = yield* createToken({ expiresInSeconds: 60 })
      const late = yield* createToken({ expiresInSeconds: 60 })
      yield* TestClock.adjust("59 seconds")
      expect((yield* emulator.accept(early.id)).status).toBe("accepted")
      yield* TestClock.adjust("1 second")
      const rejected = yield* Effect.flip(emulator.accept(late.id))
      expect(rejected.reason).toBe("Expired")
      assert(late.url != null)
      expect((yield* open(Redacted.value(late.url))).status).toBe(400)
      // Still pending (Clerk has no "expired" status), so it can still be revoked.
      expect((yield* ActorTokens.revoke(late.id)).status).toBe("revoked")
    }).pipe(withClerk()))

  it.effect("accepts by ticket from the service, and rejects an unknown one", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* createToken()
      assert(token.token != null)
      const accepted = yield* emulator.acceptTicket(Redacted.value(token.token))
      expect(accepted.id).toBe(token.id)
      expect((yield* Effect.flip(emulator.acceptTicket("unknown"))).reason).toBe("NotFound")
      expect((yield* Effect.flip(emulator.accept(token.id))).reason).toBe("AlreadyAccepted")
    }).pipe(withClerk()))
})

describe("authentication", () => {
  it.effect("a wrong secret key: 401 clerk_key_invalid", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createToken())
      assert(error._tag === "ClerkUnauthorized")
      expect(error.errors[0]?.code).toBe("clerk_key_invalid")
      expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.tokens)).toEqual([])
    }).pipe(withClerk({ client: { secretKey: Redacted.make("sk_test_wrong"), maxRetries: 0 } })))

  it.effect("a key of the emulator's choosing", () =>
    Effect.gen(function*() {
      const token = yield* createToken()
      expect(token.status).toBe("pending")
    }).pipe(withClerk({ emulator: { secretKey: "sk_test_custom_key" } })))

  it.effect("no or a malformed Authorization header: 401", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ user_id: "user_1", actor: { sub: "user_2" } })
      const none = yield* send(HttpClientRequest.post(api("/actor_tokens")).pipe(HttpClientRequest.bodyText(body)))
      expect(none.status).toBe(401)
      expect(decodeErrors(none.text).errors[0]?.code).toBe("authentication_invalid")
      const basic = yield* send(
        HttpClientRequest.post(api("/actor_tokens")).pipe(
          HttpClientRequest.setHeader("authorization", "Basic dXNlcjpwYXNz"),
          HttpClientRequest.bodyText(body)
        )
      )
      expect(basic.status).toBe(401)
      expect(decodeErrors(basic.text).errors[0]?.code).toBe("authorization_header_format_invalid")
      const revoke = yield* send(HttpClientRequest.post(api("/actor_tokens/act_1/revoke")))
      expect(revoke.status).toBe(401)
    }).pipe(withClerk()))
})

describe("request validation", () => {
  it.effect("a body that is not a JSON object: 400 request_body_invalid", () =>
    Effect.gen(function*() {
      for (const body of ["{not json", "", "[]", "\"user_1\"", "null"]) {
        const response = yield* send(postCreate(body))
        expect(response.status, body).toBe(400)
        const errors = decodeErrors(response.text)
        expect(errors.errors.map((e) => e.code), body).toEqual(["request_body_invalid"])
      }
    }).pipe(withClerk()))

  const cases: ReadonlyArray<readonly [string, unknown, ReadonlyArray<readonly [string, string]>]> = [
    ["no actor.sub", { user_id: "user_1", actor: {} }, [["form_param_missing", "actor.sub must be included."]]],
    ["no user_id", { actor: { sub: "user_2" } }, [["form_param_missing", "user_id must be included."]]],
    ["no actor", { user_id: "user_1" }, [["form_param_missing", "actor must be included."]]],
    [
      "an unknown key",
      { user_id: "user_1", actor: { sub: "user_2" }, expires_in: 60 },
      [["form_param_unknown", "expires_in is not a valid parameter for this request."]]
    ],
    [
      "a string duration",
      { user_id: "user_1", actor: { sub: "user_2" }, expires_in_seconds: "60" },
      [["form_param_type_invalid", "expires_in_seconds has an invalid type."]]
    ],
    [
      "a fractional duration",
      { user_id: "user_1", actor: { sub: "user_2" }, session_max_duration_in_seconds: 1.5 },
      [["form_param_type_invalid", "session_max_duration_in_seconds has an invalid type."]]
    ],
    [
      "a zero duration",
      { user_id: "user_1", actor: { sub: "user_2" }, expires_in_seconds: 0 },
      [["form_param_value_invalid", "expires_in_seconds is invalid."]]
    ],
    [
      "a negative duration",
      { user_id: "user_1", actor: { sub: "user_2" }, session_max_duration_in_seconds: -5 },
      [["form_param_value_invalid", "session_max_duration_in_seconds is invalid."]]
    ],
    [
      "an actor that is not an object",
      { user_id: "user_1", actor: "user_2" },
      [["form_param_type_invalid", "actor has an invalid type."]]
    ],
    [
      "several problems",
      { actor: { sub: "" }, extra: true },
      [
        ["form_param_unknown", "extra is not a valid parameter for this request."],
        ["form_param_missing", "user_id must be included."],
        ["form_param_value_invalid", "actor.sub is invalid."]
      ]
    ]
  ]

  it.effect.each(cases)("%s: 422", ([_, body, expected]) =>
    Effect.gen(function*() {
      const response = yield* send(postCreate(JSON.stringify(body)))
      expect(response.status).toBe(422)
      const errors = decodeErrors(response.text).errors
      expect(errors.map((e) => [e.code, e.longMessage])).toEqual(expected)
      expect(errors.every((e) => typeof e.meta?.["param_name"] === "string")).toBe(true)
      expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.tokens)).toEqual([])
    }).pipe(withClerk()))

  it.effect("an invalid or doubled API version: 400 api_version_invalid", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createToken())
      assert(error._tag === "ClerkBadRequest")
      expect(error.errors[0]?.code).toBe("api_version_invalid")
      const doubled = yield* send(
        HttpClientRequest.post(api("/actor_tokens?__clerk_api_version=2026-05-12")).pipe(
          authed,
          HttpClientRequest.setHeader("clerk-api-version", "2026-05-12"),
          HttpClientRequest.bodyText("{}")
        )
      )
      expect(doubled.status).toBe(400)
      expect(decodeErrors(doubled.text).errors[0]?.code).toBe("api_version_invalid")
    }).pipe(withClerk({ client: { clerkApiVersion: "banana", maxRetries: 0 } })))

  it.effect("an unknown route: 404 resource_not_found, counted as unmatched", () =>
    Effect.gen(function*() {
      const response = yield* send(HttpClientRequest.get(api("/actor_tokens")).pipe(authed))
      expect(response.status).toBe(404)
      expect(decodeErrors(response.text).errors[0]?.code).toBe("resource_not_found")
      expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.requestCount("unmatched"))).toBe(1)
    }).pipe(withClerk()))
})

describe("plan and quota", () => {
  it.effect("a plan without impersonation: 402", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createToken())
      assert(error._tag === "ClerkPaymentRequired")
      expect(error.status).toBe(402)
      expect(error.errors[0]?.code).toBe("unsupported_subscription_plan_features")
    }).pipe(withClerk({ emulator: { impersonationOnPlan: false }, client: { maxRetries: 0 } })))

  it.effect("past the monthly quota: 422 impersonation_limit_exceeded, until the next month", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 4, 30, 23, 59))
      yield* createToken()
      yield* createToken()
      const error = yield* Effect.flip(createToken())
      assert(error._tag === "ClerkUnprocessableEntity")
      expect(error.errors[0]?.code).toBe("impersonation_limit_exceeded")
      expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.tokens)).toHaveLength(2)
      yield* TestClock.setTime(Date.UTC(2026, 5, 1, 0, 0))
      expect((yield* createToken()).status).toBe("pending")
    }).pipe(withClerk({ emulator: { monthlyQuota: 2 }, client: { maxRetries: 0 } })))
})

describe("rate limit", () => {
  it.effect("answers 429 with Retry-After until the window (on the Clock) ends", () =>
    Effect.gen(function*() {
      yield* Effect.all([createToken(), createToken(), createToken()])
      const error = yield* Effect.flip(createToken())
      assert(error._tag === "ClerkRateLimited")
      expect(error.errors[0]?.code).toBe("too_many_requests")
      expect(error.retryAfter).toEqual(Duration.seconds(10))
      yield* TestClock.adjust("4 seconds")
      const later = yield* Effect.flip(ActorTokens.revoke("act_unknown"))
      assert(later._tag === "ClerkRateLimited")
      expect(later.retryAfter).toEqual(Duration.seconds(6))
      yield* TestClock.adjust("6 seconds")
      expect((yield* createToken()).status).toBe("pending")
      expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.tokens)).toHaveLength(4)
    }).pipe(withClerk({ emulator: { rateLimit: { limit: 3, interval: "10 seconds" } }, client: { maxRetries: 0 } })))

  it.effect("defaults to Clerk's 100 requests per 10 seconds", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      expect(emulator.options.rateLimit).toEqual(Option.some({ limit: 100, interval: Duration.seconds(10) }))
      const results = yield* Effect.all(
        Array.from({ length: 101 }, () => Effect.either(ActorTokens.revoke("act_unknown")))
      )
      const tags = results.map((r) => r._tag === "Left" ? r.left._tag : "Right")
      expect(tags.filter((t) => t === "ClerkNotFound")).toHaveLength(100)
      expect(tags[100]).toBe("ClerkRateLimited")
    }).pipe(withClerk({ emulator: { rateLimit: {} }, client: { maxRetries: 0 } })))

  it.effect("the client waits Retry-After on the TestClock and then succeeds", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* createToken()
      const fiber = yield* Effect.fork(createToken())
      yield* TestClock.adjust("10 seconds")
      const token = yield* fiber
      expect(token.status).toBe("pending")
      expect(yield* emulator.requestCount("create")).toBe(3)
    }).pipe(withClerk({ emulator: { rateLimit: { limit: 1 } }, client: { maxRetries: 1 } })))

  it.scoped("limit and interval set the window: the request past the limit is answered 429 until it ends", () =>
    Effect.gen(function*() {
      const twoPerWindow = yield* Emulator.make({ rateLimit: { limit: 2, interval: "30 seconds" } })
      expect(twoPerWindow.options.rateLimit).toEqual(Option.some({ limit: 2, interval: Duration.seconds(30) }))

      const fetchWith = (emulator: Emulator.Service) =>
        TestClerk.httpClient(emulator).execute(postCreate(JSON.stringify({ user_id: "u", actor: { sub: "a" } })))
      expect((yield* fetchWith(twoPerWindow)).status).toBe(200)
      expect((yield* fetchWith(twoPerWindow)).status).toBe(200)
      const limited = yield* fetchWith(twoPerWindow)
      expect(limited.status).toBe(429)
      expect(limited.headers["retry-after"]).toBe("30")
    }))
})

describe("inspection and control", () => {
  it.effect("counts requests per route and resets everything, sessions included", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* createToken()
      yield* ActorTokens.revoke(token.id)
      yield* Effect.flip(ActorTokens.revoke(token.id))
      yield* emulator.seedSession({ userId: "user_1" })
      yield* emulator.injectFault(Emulator.Fault.Status({ status: 500 }), { times: 3 })
      expect(yield* emulator.requestCounts).toMatchObject({ create: 1, revoke: 2, accept: 0, unmatched: 0 })
      expect(yield* emulator.pendingFaults).toBe(3)
      yield* emulator.reset
      expect(Object.values(yield* emulator.requestCounts)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
      expect(yield* emulator.tokens).toEqual([])
      expect(yield* emulator.sessions).toEqual([])
      expect(yield* emulator.pendingFaults).toBe(0)
      expect((yield* createToken()).status).toBe("pending")
    }).pipe(withClerk({ client: { maxRetries: 0 } })))

  it.scoped("refuses invalid options with EmulatorConfigError", () =>
    Effect.gen(function*() {
      const publishable = yield* Effect.flip(Emulator.make({ secretKey: "pk_test_abc" }))
      expect(publishable.option).toBe("secretKey")
      const limit = yield* Effect.flip(Emulator.make({ rateLimit: { limit: 0 } }))
      expect(limit.option).toBe("rateLimit.limit")
      const interval = yield* Effect.flip(Emulator.make({ rateLimit: { interval: "0 seconds" } }))
      expect(interval.option).toBe("rateLimit.interval")
      expect(interval.message).toBe(
        "Invalid Emulator option \"rateLimit.interval\": rateLimit.interval must be finite and above zero"
      )
      const quota = yield* Effect.flip(Emulator.make({ monthlyQuota: -1 }))
      expect(quota.option).toBe("monthlyQuota")
      const baseUrl = yield* Effect.flip(Emulator.make({ baseUrl: "ftp://example.com" }))
      expect(baseUrl.option).toBe("baseUrl")
      const ok = yield* Emulator.make({ baseUrl: "http://127.0.0.1:9999/", secretKey: Redacted.make("sk_live_x") })
      expect(ok.options.baseUrl).toBe("http://127.0.0.1:9999")
    }))
})

layer(TestClerk.layer({ emulator: { baseUrl: "http://localhost:4010" } }))("a shared layer", (it) => {
  // Each test of the layer creates one token and counts it: whatever tests ran before, in whatever order, the shared
  // emulator holds exactly the tokens counted so far (a layer built per test would hold one).
  let created = 0
  const createCounted = Effect.tap(createToken(), () => Effect.sync(() => created++))

  it.effect("uses the configured base URL in ticket URLs", () =>
    Effect.gen(function*() {
      const token = yield* createCounted
      assert(token.url != null && token.token != null)
      expect(Redacted.value(token.url)).toBe(
        `http://localhost:4010/v1/tickets/accept?ticket=${Redacted.value(token.token)}`
      )
    }))

  it.effect("keeps state between tests of the layer", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* createCounted
      const tokens = yield* emulator.tokens
      expect(tokens.map((t) => t.id)).toContain(token.id)
      expect(tokens).toHaveLength(created)
    }))
})

describe("README.md", () => {
  it("shows test/emulator-readme.test.ts verbatim", () => {
    const dir = path.dirname(fileURLToPath(import.meta.url))
    const readme = fs.readFileSync(path.join(dir, "..", "README.md"), "utf8")
    const example = fs.readFileSync(path.join(dir, "emulator-readme.test.ts"), "utf8")
    const code = example.slice(example.indexOf("\n") + 1).trim()
    expect(readme).toContain("```ts\n" + code + "\n```")
    expect(readme).toContain(`\`${Emulator.defaultSecretKey}\``)
  })
})
