/**
 * `create`: one actor token, printed as a table or as the wire JSON.
 */
import { ActorTokens } from "@effect-clerk/client"
import { Ids } from "@effect-clerk/schema"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as InternalClaims from "../claims.js"
import * as InternalClerk from "../clerk.js"
import * as InternalDuration from "../duration.js"
import * as InternalOptions from "../options.js"
import * as InternalOutput from "../output.js"

const decodeClaim = InternalOptions.optionWith("--claim", InternalClaims.ClaimFromString)

/** @internal `create --user U --actor A [--claim k=v…] [--expires-in d] [--session-max d] [--json]`. */
export const command = Command.make(
  "create",
  {
    ...InternalOptions.target,
    user: Options.text("user").pipe(
      Options.withPseudoName("user_id"),
      Options.withDescription("The user to impersonate (user_…)"),
      Options.mapEffect(InternalOptions.optionWith("--user", Ids.UserId))
    ),
    actor: Options.text("actor").pipe(
      Options.withPseudoName("user_id"),
      Options.withDescription("The impersonator: the `sub` of the session's `act` claim (user_…)"),
      Options.mapEffect(InternalOptions.optionWith("--actor", Ids.UserId))
    ),
    claims: Options.text("claim").pipe(
      Options.withPseudoName("key=value"),
      Options.withDescription(
        "An extra claim of the actor, repeatable: key=value (a string) or key:=json (n:=3, vip:=true, tags:='[\"a\"]')"
      ),
      Options.repeated,
      Options.mapEffect((raw) =>
        Effect.forEach(raw, decodeClaim).pipe(
          Effect.flatMap((claims) =>
            Either.match(InternalClaims.toActorClaims(claims), {
              onLeft: (message) => Effect.fail(InternalOptions.invalid(message)),
              onRight: Effect.succeed
            })
          )
        )
      ),
      // No --claim: no extra claims. Also what makes the usage line read `[--claim key=value...]`, not required.
      Options.withDefault({})
    ),
    expiresIn: Options.text("expires-in").pipe(
      Options.withPseudoName("duration"),
      Options.withDescription("Lifetime of the token: 90s, 10m, 1h, 1h30m or seconds (Clerk's default: 1h)"),
      Options.mapEffect(InternalOptions.optionWith("--expires-in", InternalDuration.HumanSeconds)),
      Options.optional
    ),
    sessionMax: Options.text("session-max").pipe(
      Options.withPseudoName("duration"),
      Options.withDescription("Longest session the token can start: 30m, 2h, … (Clerk's default: 30m)"),
      Options.mapEffect(InternalOptions.optionWith("--session-max", InternalDuration.HumanSeconds)),
      Options.optional
    )
  },
  (config) =>
    ActorTokens.create({
      userId: config.user,
      actor: { ...config.claims, sub: config.actor },
      expiresInSeconds: Option.getOrUndefined(config.expiresIn),
      sessionMaxDurationInSeconds: Option.getOrUndefined(config.sessionMax)
    }).pipe(
      Effect.flatMap((token) =>
        config.json
          ? Effect.flatMap(InternalOutput.tokenJson(token), (text) => InternalOutput.stdout(`${text}\n`))
          : InternalOutput.stdout(InternalOptions.table([
            ["id", token.id],
            ["status", token.status],
            ["user", token.userId],
            ["actor", token.actor === null ? "-" : JSON.stringify(token.actor)],
            ["url", token.url == null ? "- (none returned)" : Redacted.value(token.url)]
          ]))
      )
    )
).pipe(
  Command.provide((config) => InternalClerk.layer(config)),
  Command.withDescription(
    "Create an actor token: a one-time sign-in link as --user on behalf of --actor. The url and token it prints " +
      "are credentials: hand them only to the impersonator."
  )
)
