// One create with Node's global fetch: no import at all.
import { apiUrl, done, secretKey } from "./harness.js"

const importedMs = performance.now()
const response = await fetch(`${apiUrl}/v1/actor_tokens`, {
  method: "POST",
  headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
  body: JSON.stringify({ user_id: "user_123", actor: { sub: "user_support_42" } })
})
await response.json()
done(importedMs)
