import { ActorToken, Ids } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { CreateParams } from "../ActorTokens.js"
import type { ActorTokensApi } from "../ClerkClient.js"
import { ClerkInvalidInput } from "../ClerkError.js"
import type * as InternalHttp from "./http.js"
import * as InternalInput from "./input.js"

const encodeCreateParams = Schema.encodeUnknownEither(ActorToken.CreateActorTokenParams)
const decodeActorTokenId = Schema.decodeUnknownEither(Ids.ActorTokenId)
const decodeActorToken = Schema.decodeUnknownEither(ActorToken.ActorToken)

/** @internal The actor-token operations of a client, over its one way to reach Clerk. */
export const make = (execute: InternalHttp.Execute): ActorTokensApi => ({
  create: Effect.fn("ActorTokens.create")(function*(params: CreateParams) {
    const claimsIssue = typeof params === "object" && params !== null
      ? InternalInput.claimsIssue(params.actor)
      : undefined
    if (claimsIssue !== undefined) {
      return yield* new ClerkInvalidInput({ message: `Invalid create params: ${claimsIssue}` })
    }
    const body = yield* InternalInput.check(
      "create params",
      encodeCreateParams(InternalInput.dropUndefined(params), { onExcessProperty: "error" })
    )
    return yield* execute({
      operation: "create",
      method: "POST",
      path: "/actor_tokens",
      body,
      idempotent: false,
      decode: decodeActorToken
    })
  }),
  revoke: Effect.fn("ActorTokens.revoke")(function*(actorTokenId: string) {
    const id = yield* InternalInput.check("actor token id", decodeActorTokenId(actorTokenId))
    return yield* execute({
      operation: "revoke",
      method: "POST",
      path: `/actor_tokens/${id}/revoke`,
      idempotent: true,
      decode: decodeActorToken
    })
  })
})
