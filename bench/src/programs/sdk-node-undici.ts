// The README's quick start over @effect/platform-node's undici client (`NodeHttpClient.layerUndici`, i.e. `makeUndici`
// over a new Agent), imported from its module: the package index would also load the cluster, socket and worker modules.
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer } from "effect"
import { done } from "./harness.js"

const importedMs = performance.now()
const ClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
await Effect.runPromise(
  ActorTokens.create({ userId: "user_123", actor: { sub: "user_support_42" } }).pipe(Effect.provide(ClerkLive))
)
done(importedMs)
