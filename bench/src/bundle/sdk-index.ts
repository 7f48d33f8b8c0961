// The SDK, one create call, imported from the package indexes as the README shows (tree-shaken by the bundler).
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

const ClerkLive = ClerkClient.layer({ secretKey: Redacted.make(process.env.CLERK_SECRET_KEY ?? "") }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

Effect.runPromise(
  ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(Effect.provide(ClerkLive))
).then(console.log, console.error)
