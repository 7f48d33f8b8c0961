/**
 * `sessions`: the user's active impersonated sessions. Once an actor token is accepted the impersonation is a session
 * of the user, which only `sessions` and `end` reach (revoking the token is refused then).
 */
import { Impersonations } from "@effect-clerk/client"
import { Session } from "@effect-clerk/schema"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as InternalClerk from "../clerk.js"
import * as InternalOptions from "../options.js"
import * as InternalOutput from "../output.js"

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
export const command = Command.make(
  "sessions",
  { ...InternalOptions.target, user: InternalOptions.impersonatedUser, actor: InternalOptions.impersonator },
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
