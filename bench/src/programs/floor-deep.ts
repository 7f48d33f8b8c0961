// The Effect HTTP floor with deep imports (bench/src/floor.ts), FetchHttpClient.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import { floorCreate } from "../floor.js"
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
await Effect.runPromise(
  floorCreate(apiUrl, secretKey, { userId: "user_123", actor: { sub: "user_support_42" } }).pipe(
    Effect.provide(FetchHttpClient.layer)
  )
)
done(importedMs)
