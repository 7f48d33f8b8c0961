// The Effect HTTP floor (bench/src/floor.ts) over the project's UndiciHttpClient, with the README's package-index
// import of Effect.
import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
import { Effect } from "effect"
import { floorCreate } from "../floor.js"
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
await Effect.runPromise(
  floorCreate(apiUrl, secretKey, { userId: "user_123", actor: { sub: "user_support_42" } }).pipe(
    Effect.provide(UndiciHttpClient.layer)
  )
)
done(importedMs)
