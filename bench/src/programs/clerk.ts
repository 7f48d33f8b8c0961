// @clerk/backend, one create call.
import { createClerkClient } from "@clerk/backend"
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
await createClerkClient({ secretKey, apiUrl }).actorTokens.create({
  userId: "user_123",
  actor: { sub: "user_support_42" }
})
done(importedMs)
