// The README's quick start: package-index imports, FetchHttpClient, options from the environment (CLERK_SECRET_KEY,
// CLERK_API_URL), one create call.
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { done } from "./harness.js"

const importedMs = performance.now()
const ClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
await Effect.runPromise(
  ActorTokens.create({ userId: "user_123", actor: { sub: "user_support_42" } }).pipe(Effect.provide(ClerkLive))
)
done(importedMs)
