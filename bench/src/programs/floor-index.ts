// The Effect HTTP floor's counterpart of the README's quick start: the same call on HttpClient + Schema
// (bench/src/floor.ts, deep imports as a library's code is written), with the README's package-index imports of what
// the program itself uses (FetchHttpClient, Effect). The SDK's own code is its library; the floor's is floor.ts.
import { FetchHttpClient } from "@effect/platform"
import { Effect } from "effect"
import { floorCreate } from "../floor.js"
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
await Effect.runPromise(
  floorCreate(apiUrl, secretKey, { userId: "user_123", actor: { sub: "user_support_42" } }).pipe(
    Effect.provide(FetchHttpClient.layer)
  )
)
done(importedMs)
