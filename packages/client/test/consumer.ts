/**
 * A consumer's view of the public surface. `pnpm typecheck` compiles this file: if an export changes name, type,
 * error union or requirement, the build fails here.
 */
import { ActorTokens, ClerkClient, type ClerkError } from "@effect-clerk/client"
import type { ActorToken } from "@effect-clerk/schema"
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { type ConfigError, Effect, Layer, Redacted } from "effect"

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const assertType = <_ extends true>() => {}

// Layers: what they provide, how they fail, what they need.
const live = ClerkClient.layer({ secretKey: Redacted.make("sk_test_consumer"), timeout: "5 seconds", maxRetries: 3 })
assertType<
  Equals<typeof live, Layer.Layer<ClerkClient.ClerkClient, ClerkError.ClerkConfigError, HttpClient.HttpClient>>
>()
export const fromEnv = ClerkClient.layerConfig({ userAgent: "consumer/1.0" })
assertType<
  Equals<
    typeof fromEnv,
    Layer.Layer<ClerkClient.ClerkClient, ConfigError.ConfigError | ClerkError.ClerkConfigError, HttpClient.HttpClient>
  >
>()

// Operations: plain inputs, exact error unions, the ClerkClient requirement.
export const created = ActorTokens.create({
  userId: "user_1",
  actor: { sub: "user_2", ticket: "T-1" },
  expiresInSeconds: 600
})
assertType<
  Equals<
    typeof created,
    Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError, ClerkClient.ClerkClient>
  >
>()
const revoked = ActorTokens.revoke("act_1")
assertType<
  Equals<
    typeof revoked,
    Effect.Effect<ActorToken.ActorToken, ClerkError.ClerkError, ClerkClient.ClerkClient>
  >
>()

// A program a consumer writes: handle one error by tag, provide the layers, run.
export const program: Effect.Effect<
  string,
  Exclude<ClerkError.ClerkError, ClerkError.ClerkBadRequest> | ClerkError.ClerkConfigError
> = revoked.pipe(
  Effect.map((token) => token.status),
  Effect.catchTag("ClerkBadRequest", (error) => Effect.succeed(`not pending: ${error.errors[0]?.code ?? "?"}`)),
  Effect.provide(live.pipe(Layer.provide(FetchHttpClient.layer)))
)
