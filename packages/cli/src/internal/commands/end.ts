/**
 * `end`: revokes the user's active impersonated sessions and sums up what was ended.
 */
import { type ClerkError, Impersonations } from "@effect-clerk/client"
import { Ids } from "@effect-clerk/schema"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as BulkRevoke from "../../BulkRevoke.js"
import { BulkRevokeIncomplete } from "../../CliError.js"
import * as InternalClerk from "../clerk.js"
import * as InternalOptions from "../options.js"
import * as InternalOutput from "../output.js"

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
export const command = Command.make(
  "end",
  {
    ...InternalOptions.target,
    user: InternalOptions.impersonatedUser,
    actor: InternalOptions.impersonator,
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
