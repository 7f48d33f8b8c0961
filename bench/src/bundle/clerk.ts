// @clerk/backend, one create call.
import { createClerkClient } from "@clerk/backend"

createClerkClient({ secretKey: process.env.CLERK_SECRET_KEY ?? "" })
  .actorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
  .then(console.log, console.error)
