// The README's quick start over the project's UndiciHttpClient (a deep import; undici is a dependency of the app).
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
import { Effect, Layer } from "effect"
import { done } from "./harness.js"

const importedMs = performance.now()
const ClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(UndiciHttpClient.layer))
await Effect.runPromise(
  ActorTokens.create({ userId: "user_123", actor: { sub: "user_support_42" } }).pipe(Effect.provide(ClerkLive))
)
done(importedMs)
