// The Effect HTTP floor (bench/src/floor.ts) over @effect/platform-node's NodeHttpClient.layerUndici, with the
// README's package-index import of Effect.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect } from "effect"
import { floorCreate } from "../floor.js"
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
await Effect.runPromise(
  floorCreate(apiUrl, secretKey, { userId: "user_123", actor: { sub: "user_support_42" } }).pipe(
    Effect.provide(NodeHttpClient.layerUndici)
  )
)
done(importedMs)
