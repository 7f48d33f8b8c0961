import { Jwks } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { JwksApi } from "../ClerkClient.js"
import type * as InternalHttp from "./http.js"

const decodeJwks = Schema.decodeUnknownEither(Jwks.Jwks)

/** @internal The key-set operation of a client, over its one way to reach Clerk. */
export const make = (execute: InternalHttp.Execute): JwksApi => ({
  get: Effect.fn("Jwks.get")(function*() {
    return yield* execute({
      operation: "jwks.get",
      method: "GET",
      path: "/jwks",
      idempotent: true,
      decode: decodeJwks
    })
  })
})
