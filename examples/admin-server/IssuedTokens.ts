/**
 * The impersonations this server started: the actor token of each, as `ActorTokens.create` returned it, because
 * stopping one later needs the whole token (its user, actor and creation time find the session it started). Kept in
 * memory here; a real deployment keeps them where it keeps the rest of its state (without `token` and `url`, which
 * are credentials and are not needed to stop it).
 */
import { ActorToken } from "@effect-clerk/schema"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"

export class IssuedTokens extends Context.Tag("admin-server/IssuedTokens")<IssuedTokens, {
  readonly save: (token: ActorToken.ActorToken) => Effect.Effect<void>
  readonly find: (actorTokenId: string) => Effect.Effect<Option.Option<ActorToken.ActorToken>>
}>() {}

export const layerMemory: Layer.Layer<IssuedTokens> = Layer.effect(
  IssuedTokens,
  Effect.map(Ref.make(new Map<string, ActorToken.ActorToken>()), (tokens) =>
    IssuedTokens.of({
      // Only what stopping needs: the credentials stay out of the store.
      save: ({ token: _, url: __, ...rest }) =>
        Ref.update(tokens, (all) => new Map(all).set(rest.id, new ActorToken.ActorToken(rest))),
      find: (actorTokenId) => Effect.map(Ref.get(tokens), (all) => Option.fromNullable(all.get(actorTokenId)))
    }))
)
