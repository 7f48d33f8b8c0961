import {
  ActorTokens,
  type ClerkClient,
  ClerkClient as Client,
  ClerkError,
  Impersonations,
  Jwks,
  Sessions,
  type SharedRateLimiter
} from "@effect-clerk/client"
import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
import type { ActorToken, Jwks as JwksSchema, Session } from "@effect-clerk/schema"
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Config, type ConfigError, type Duration, Effect, Layer, Redacted, type Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"

type Tag<E> = E extends { readonly _tag: infer T } ? T : never
type Every =
  | "ClerkBadRequest"
  | "ClerkUnauthorized"
  | "ClerkPaymentRequired"
  | "ClerkForbidden"
  | "ClerkNotFound"
  | "ClerkUnprocessableEntity"
  | "ClerkRateLimited"
  | "ClerkServerError"
  | "ClerkUnexpectedStatus"
  | "ClerkInvalidInput"
  | "ClerkTransportError"
  | "ClerkDecodeError"
  | "ClerkRateLimiterUnavailable"

describe("public types", () => {
  it("create: ActorToken, its exact error union, requires ClerkClient", () => {
    const effect = ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
    expectTypeOf(effect).toEqualTypeOf<
      Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf<Tag<ClerkError.ClerkError>>().toEqualTypeOf<Every>()
  })

  it("revoke: takes a plain string, exact error union, requires ClerkClient", () => {
    expectTypeOf(ActorTokens.revoke).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(ActorTokens.revoke("act_1")).toEqualTypeOf<
      Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
  })

  it("create params are plain values, with optional durations", () => {
    expectTypeOf<ActorTokens.CreateParams["userId"]>().toEqualTypeOf<string>()
    expectTypeOf<{ userId: string; actor: { sub: string; ticket: number } }>().toMatchTypeOf<
      ActorTokens.CreateParams
    >()
    expectTypeOf<{ userId: string; actor: { ticket: string } }>().not.toMatchTypeOf<ActorTokens.CreateParams>()
  })

  it("layers need an HttpClient and fail only with configuration errors", () => {
    expectTypeOf(Client.layer).returns.toEqualTypeOf<
      Layer.Layer<ClerkClient.ClerkClient, ClerkError.ClerkConfigError, HttpClient.HttpClient>
    >()
    expectTypeOf(Client.layerConfig).returns.toEqualTypeOf<
      Layer.Layer<ClerkClient.ClerkClient, ConfigError.ConfigError | ClerkError.ClerkConfigError, HttpClient.HttpClient>
    >()
    expectTypeOf<ClerkClient.Options["secretKey"]>().toEqualTypeOf<Redacted.Redacted<string>>()
  })

  it("the Redis limiter composes with the client exactly as the README shows, and fails only with configuration", () => {
    const secretKey = Redacted.make("sk_test_…")
    const live = Client.layer({ secretKey, rateLimit: { limit: 900, interval: "10 seconds" } }).pipe(
      Layer.provide(RedisRateLimiter.layer({ url: "redis://127.0.0.1:6379" })),
      Layer.provide(FetchHttpClient.layer)
    )
    expectTypeOf(live).toEqualTypeOf<Layer.Layer<ClerkClient.ClerkClient, ClerkError.ClerkConfigError>>()
    expectTypeOf(RedisRateLimiter.layerConfig).returns.toEqualTypeOf<
      Layer.Layer<SharedRateLimiter.SharedRateLimiter, ConfigError.ConfigError | ClerkError.ClerkConfigError>
    >()
    expectTypeOf<ClerkClient.Options["rateLimit"]>().toEqualTypeOf<
      | { readonly limit: number; readonly interval: Duration.DurationInput; readonly key?: string | undefined }
      | undefined
    >()
    expectTypeOf<ClerkError.ClerkRateLimiterUnavailable["reason"]>().toEqualTypeOf<
      "Timeout" | "Unreachable" | "Failed"
    >()
  })

  it("status errors carry status, Clerk entries and trace id; 429 carries retryAfter", () => {
    expectTypeOf<ClerkError.ClerkNotFound["status"]>().toEqualTypeOf<number>()
    expectTypeOf<ClerkError.ClerkBadRequest["errors"][number]["code"]>().toEqualTypeOf<string>()
    expectTypeOf<ClerkError.ClerkServerError["clerkTraceId"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<ClerkError.ClerkRateLimited>().toHaveProperty("retryAfter")
    expectTypeOf<ClerkError.ClerkTransportError["reason"]>().toEqualTypeOf<
      "ConnectionRefused" | "DnsLookupFailed" | "ConnectionReset" | "Timeout" | "Unknown"
    >()
  })

  it("the service holds the operations, grouped by resource, with the accessors' error unions and no requirement", () => {
    expectTypeOf<keyof ClerkClient.Service>().toEqualTypeOf<"actorTokens" | "sessions" | "jwks">()
    expectTypeOf<keyof ClerkClient.Service["sessions"]>().toEqualTypeOf<"list" | "get" | "revoke" | "createToken">()
    expectTypeOf<keyof ClerkClient.Service["jwks"]>().toEqualTypeOf<"get">()
    expectTypeOf<ClerkClient.Service["actorTokens"]["create"]>().toEqualTypeOf<
      (params: ActorTokens.CreateParams) => Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError>
    >()
    expectTypeOf<ClerkClient.Service["actorTokens"]["revoke"]>().toEqualTypeOf<
      (actorTokenId: string) => Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError>
    >()
    expectTypeOf(Client.ClerkClient.of).parameter(0).toEqualTypeOf<ClerkClient.Service>()
  })

  it("layerConfig takes each option as a plain value or a Config", () => {
    expectTypeOf({ maxRetries: 3 }).toMatchTypeOf<ClerkClient.ConfigOptions>()
    expectTypeOf({ maxRetries: Config.integer("RETRIES"), secretKey: Config.redacted("KEY") }).toMatchTypeOf<
      ClerkClient.ConfigOptions
    >()
    expectTypeOf({ maxRetries: Config.string("RETRIES") }).not.toMatchTypeOf<ClerkClient.ConfigOptions>()
  })

  it("hasCode and isClerkStatusError narrow a catchIf to the status errors", () => {
    const byCode = ActorTokens.revoke("act_1").pipe(
      Effect.catchIf(ClerkError.hasCode("actor_token_cannot_be_revoked_code"), (error) => {
        expectTypeOf(error).toEqualTypeOf<ClerkError.ClerkStatusError>()
        return Effect.succeed(error.status)
      })
    )
    expectTypeOf(byCode).toEqualTypeOf<
      Effect.Effect<
        ActorToken.ActorToken | number,
        | ClerkError.ClerkInvalidInput
        | ClerkError.ClerkTransportError
        | ClerkError.ClerkDecodeError
        | ClerkError.ClerkRateLimiterUnavailable,
        ClerkClient.ClerkClient
      >
    >()
    const anyStatus = ActorTokens.revoke("act_1").pipe(
      Effect.catchIf(ClerkError.isClerkStatusError, (error) => Effect.succeed(error.errors.length))
    )
    expectTypeOf(anyStatus).toEqualTypeOf<
      Effect.Effect<
        ActorToken.ActorToken | number,
        | ClerkError.ClerkInvalidInput
        | ClerkError.ClerkTransportError
        | ClerkError.ClerkDecodeError
        | ClerkError.ClerkRateLimiterUnavailable,
        ClerkClient.ClerkClient
      >
    >()
    expectTypeOf<"resource_not_found">().toMatchTypeOf<ClerkError.Code>()
    expectTypeOf<"a_code_clerk_adds_later">().toMatchTypeOf<ClerkError.Code>()
  })

  it("sessions and impersonations: exact results and error unions, requiring ClerkClient", () => {
    expectTypeOf(Sessions.list({ userId: "user_1" })).toEqualTypeOf<
      Effect.Effect<Session.SessionList, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf(Sessions.get("sess_1")).toEqualTypeOf<
      Effect.Effect<Session.Session, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf(Sessions.revoke("sess_1")).toEqualTypeOf<
      Effect.Effect<Session.Session, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf(Sessions.stream({ userId: "user_1" })).toEqualTypeOf<
      Stream.Stream<Session.Session, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf<Sessions.StreamParams>().not.toHaveProperty("limit")
    expectTypeOf<Session.SessionListStatus>().toEqualTypeOf<Exclude<Session.SessionStatus, "pending">>()
    expectTypeOf(Impersonations.active({ userId: "user_1" })).toEqualTypeOf<
      Effect.Effect<ReadonlyArray<Session.Session>, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf(Impersonations.end({ userId: "user_1" })).toEqualTypeOf<
      Effect.Effect<Impersonations.EndResult, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf<Impersonations.StopResult["_tag"]>().toEqualTypeOf<
      "TokenRevoked" | "SessionsEnded" | "AlreadyRevoked"
    >()
    expectTypeOf<Impersonations.EndResult["failed"][number]["error"]>().toEqualTypeOf<ClerkError.ClerkError>()
  })

  it("session tokens and the key set: the jwt Redacted, the whole error union, requiring ClerkClient", () => {
    expectTypeOf(Sessions.createToken("sess_1")).toEqualTypeOf<
      Effect.Effect<Redacted.Redacted<string>, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf(Sessions.createToken("sess_1", { expiresInSeconds: 300 })).toEqualTypeOf<
      Effect.Effect<Redacted.Redacted<string>, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf<Sessions.CreateTokenOptions>().toEqualTypeOf<{ readonly expiresInSeconds?: number | undefined }>()
    expectTypeOf(Jwks.get()).toEqualTypeOf<
      Effect.Effect<JwksSchema.Jwks, ClerkError.ClerkError, ClerkClient.ClerkClient>
    >()
    expectTypeOf<JwksSchema.Jwk["kid"]>().toEqualTypeOf<string>()
    expectTypeOf<JwksSchema.Jwk["n"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<ClerkClient.Service["sessions"]["createToken"]>().toEqualTypeOf<
      (
        sessionId: string,
        options?: Sessions.CreateTokenOptions
      ) => Effect.Effect<Redacted.Redacted<string>, ClerkError.ClerkError>
    >()
  })
})
