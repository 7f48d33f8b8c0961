// The Effect HTTP floor: the same POST with @effect/platform's HttpClient and Schema only, over FetchHttpClient.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import { floorCreate } from "../floor.js"

Effect.runPromise(
  floorCreate("https://api.clerk.com", process.env.CLERK_SECRET_KEY ?? "", {
    userId: "user_1",
    actor: { sub: "user_2" }
  }).pipe(Effect.provide(FetchHttpClient.layer))
).then(console.log, console.error)
