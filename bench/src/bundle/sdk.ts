// The SDK, one create call, deep imports, over FetchHttpClient (the transport of the Effect HTTP floor).
import * as ActorTokens from "@effect-clerk/client/ActorTokens"
import * as ClerkClient from "@effect-clerk/client/ClerkClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const ClerkLive = ClerkClient.layer({ secretKey: Redacted.make(process.env.CLERK_SECRET_KEY ?? "") }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

Effect.runPromise(
  ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } }).pipe(Effect.provide(ClerkLive))
).then(console.log, console.error)
