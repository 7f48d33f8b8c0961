// The README's quick start with deep imports (one module per import, as the library itself imports effect).
import * as ActorTokens from "@effect-clerk/client/ActorTokens"
import * as ClerkClient from "@effect-clerk/client/ClerkClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { done } from "./harness.js"

const importedMs = performance.now()
const ClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
await Effect.runPromise(
  ActorTokens.create({ userId: "user_123", actor: { sub: "user_support_42" } }).pipe(Effect.provide(ClerkLive))
)
done(importedMs)
