/**
 * The commands for an impersonation that has started: `sessions` lists the user's active impersonated sessions,
 * `end` ends them. Once an actor token is accepted the impersonation is a session of the user, which only these
 * reach (revoking the token is refused then).
 */
import { type ClerkError, Impersonations } from "@effect-clerk/client"
import { Ids, Session } from "@effect-clerk/schema"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as BulkRevoke from "../BulkRevoke.js"
import { BulkRevokeIncomplete } from "../CliError.js"
import * as InternalClerk from "./clerk.js"
import * as InternalOptions from "./options.js"
import * as InternalOutput from "./output.js"

const user = Options.text("user").pipe(
  Options.withPseudoName("user_id"),
  Options.withDescription("The impersonated user (user_…)"),
  Options.mapEffect(InternalOptions.optionWith("--user", Ids.UserId))
)

const actor = Options.text("actor").pipe(
  Options.withPseudoName("user_id"),
  Options.withDescription("Only the impersonations by this impersonator: the `sub` of the session's actor (user_…)"),
  Options.mapEffect(InternalOptions.optionWith("--actor", Ids.UserId)),
  Options.optional
)

const encodeSessions = Schema.encode(Schema.Array(Session.Session))

const time = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

const actorOf = (session: Session.Session): string => {
  const sub = session.actor?.["sub"]
  return typeof sub === "string" ? sub : JSON.stringify(session.actor)
}

/** One line per session, in columns. */
const sessionsTable = (sessions: ReadonlyArray<Session.Session>): string => {
  const rows = [
    ["session", "actor", "started", "last active", "expires"],
    ...sessions.map((s) => [s.id, actorOf(s), time(s.createdAt), time(s.lastActiveAt), time(s.expireAt)])
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => `${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}\n`).join("")
}

/** @internal `sessions --user U [--actor A] [--json]`. */
export const sessionsCommand = Command.make(
  "sessions",
  { ...InternalOptions.target, user, actor },
  (config) =>
    Effect.gen(function*() {
      const sessions = yield* Impersonations.active({ userId: config.user, actor: Option.getOrUndefined(config.actor) })
      if (config.json) {
        const encoded = yield* Effect.orDie(encodeSessions(sessions))
        return yield* InternalOutput.stdout(`${JSON.stringify(encoded)}\n`)
      }
      if (sessions.length === 0) {
        return yield* InternalOutput.stdout(`no active impersonation of ${config.user}\n`)
      }
      yield* InternalOutput.stdout(sessionsTable(sessions))
    })
).pipe(
  Command.provide((config) => InternalClerk.layer(config)),
  Command.withDescription(
    "List the active impersonations of --user: the user's active sessions started from an actor token (all pages), " +
      "or only those by --actor."
  )
)

/**
 * The summary of `end`; its encoded side (snake_case) is what `end --json` prints.
 */
const EndSummary = Schema.Struct({
  ended: Schema.Array(Ids.SessionId),
  alreadyEnded: Schema.propertySignature(Schema.Array(Ids.SessionId)).pipe(Schema.fromKey("already_ended")),
  failed: Schema.Array(Schema.Struct({ id: Ids.SessionId, error: BulkRevoke.ErrorDetail }))
})
const encodeEndSummary = Schema.encode(EndSummary)

const summaryOf = (result: Impersonations.EndResult): typeof EndSummary.Type => ({
  ended: result.ended.map((session) => session.id),
  alreadyEnded: result.alreadyEnded.map((session) => session.id),
  failed: result.failed.map(({ error, session }) => ({ id: session.id, error: BulkRevoke.errorDetail(error) }))
})

const failureLine = (id: string, error: ClerkError.ClerkError): string => {
  const detail = BulkRevoke.errorDetail(error)
  return `  ${id}  ${
    [detail.httpStatus, detail.code ?? detail.tag].filter((part) => part !== undefined).join(" ")
  }: ${detail.message}\n`
}

/** @internal `end --user U [--actor A] [--json] [--concurrency n] [--rate n/window] [--rate-limit-redis url]`. */
export const endCommand = Command.make(
  "end",
  {
    ...InternalOptions.target,
    user,
    actor,
    concurrency: InternalOptions.concurrency("Sessions revoked"),
    rate: InternalOptions.rate,
    rateLimitRedis: InternalOptions.rateLimitRedis
  },
  (config) =>
    Effect.gen(function*() {
      const result = yield* Impersonations.end({
        userId: config.user,
        actor: Option.getOrUndefined(config.actor),
        concurrency: config.concurrency
      })
      if (config.json) {
        const encoded = yield* Effect.orDie(encodeEndSummary(summaryOf(result)))
        yield* InternalOutput.stdout(`${JSON.stringify(encoded)}\n`)
      } else {
        yield* InternalOutput.stdout(
          InternalOptions.table([
            ["ended", String(result.ended.length)],
            ["already ended", String(result.alreadyEnded.length)],
            ["failed", String(result.failed.length)]
          ]) + result.failed.map(({ error, session }) => failureLine(session.id, error)).join("")
        )
      }
      const total = result.ended.length + result.alreadyEnded.length + result.failed.length
      if (result.failed.length > 0) {
        return yield* new BulkRevokeIncomplete({ failed: result.failed.length, total })
      }
    })
).pipe(
  Command.provide((config) =>
    Layer.unwrapEffect(
      Effect.map(
        InternalOptions.rateLimitOptions(config),
        // Revoking is safe to repeat: like a bulk revoke, allow more retries than a single call does.
        (limits) => InternalClerk.layer(config, { ...limits, maxRetries: 5 })
      )
    )
  ),
  Command.withDescription(
    "End the active impersonations of --user (or only those by --actor): revoke each impersonated session. Prints " +
      "what was ended, what had already ended, and what failed; exit code 1 if any failed."
  )
)
