/**
 * `revoke`: one actor token by id, or every id of `--from-file` with a progress line and a summary.
 */
import { ActorTokens } from "@effect-clerk/client"
import { Ids } from "@effect-clerk/schema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as BulkRevoke from "../../BulkRevoke.js"
import { BulkRevokeIncomplete, UsageError } from "../../CliError.js"
import * as InternalClerk from "../clerk.js"
import * as InternalIdsFile from "../idsFile.js"
import * as InternalOptions from "../options.js"
import * as InternalOutput from "../output.js"
import * as InternalProgress from "../progress.js"

const encodeSummary = Schema.encode(BulkRevoke.Summary)

const revokeSingle = (id: Ids.ActorTokenId, asJson: boolean) =>
  ActorTokens.revoke(id).pipe(
    Effect.flatMap((token) =>
      asJson
        ? Effect.flatMap(InternalOutput.tokenJson(token), (text) => InternalOutput.stdout(`${text}\n`))
        : InternalOutput.stdout(InternalOptions.table([["id", token.id], ["status", token.status]]))
    )
  )

const humanSummary = (summary: BulkRevoke.Summary): string => {
  const failures = summary.results.filter((result) => result.outcome === "failed")
  return InternalOptions.table([
    ["revoked", String(summary.revoked)],
    ["not pending", `${summary.notPending}${summary.notPending > 0 ? " (already accepted or revoked)" : ""}`],
    ["failed", String(summary.failed)]
  ]) + failures.map(({ error, id }) =>
    `  ${id}  ${
      [error?.httpStatus, error?.code ?? error?.tag].filter((part) => part !== undefined).join(" ")
    }: ${error?.message ?? ""}\n`
  ).join("")
}

const revokeBulk = (
  file: InternalIdsFile.IdsFile,
  options: { readonly concurrency: number; readonly json: boolean }
) =>
  Effect.gen(function*() {
    if (file.duplicates > 0) {
      yield* InternalOutput.notice(`${file.duplicates} repeated id(s) in the file: each id is revoked once`)
    }
    if (file.ids.length === 0) yield* InternalOutput.notice("the file lists no ids: nothing to revoke")
    const progress = yield* InternalProgress.make(file.ids.length)
    const summary = yield* BulkRevoke.run(file.ids, {
      concurrency: options.concurrency,
      onOutcome: progress.record
    }).pipe(
      Effect.tapError((error) =>
        Effect.zipRight(
          progress.finish,
          Effect.flatMap(progress.counts, (counts) =>
            InternalOutput.notice(
              `stopped after ${counts.done} of ${file.ids.length} id(s) (${counts.revoked} revoked): ` +
                `the secret key was refused (${error.status})`
            ))
        )
      )
    )
    yield* progress.finish
    if (options.json) {
      const encoded = yield* Effect.orDie(encodeSummary(summary))
      yield* InternalOutput.stdout(`${JSON.stringify(encoded)}\n`)
    } else {
      yield* InternalOutput.stdout(humanSummary(summary))
    }
    if (summary.failed > 0) {
      return yield* new BulkRevokeIncomplete({ failed: summary.failed, total: summary.total })
    }
  })

const decodeActorTokenId = InternalOptions.decodeWith("act_id", Ids.ActorTokenId)

/** What `revoke` revokes: the id given, or every id of `--from-file`. */
type RevokeTarget = Data.TaggedEnum<{
  Single: { readonly id: Ids.ActorTokenId }
  Bulk: { readonly file: InternalIdsFile.IdsFile }
}>
const RevokeTarget = Data.taggedEnum<RevokeTarget>()

const revokeTarget = (config: {
  readonly id: Option.Option<Ids.ActorTokenId>
  readonly fromFile: Option.Option<InternalIdsFile.IdsFile>
}): Either.Either<RevokeTarget, UsageError> =>
  Option.match(config.fromFile, {
    onSome: (file) =>
      Option.isSome(config.id)
        ? Either.left(new UsageError({ message: "give an act_id or --from-file <file>, not both" }))
        : Either.right(RevokeTarget.Bulk({ file })),
    onNone: () =>
      Option.match(config.id, {
        onNone: () => Either.left(new UsageError({ message: "give an act_id, or --from-file <file>" })),
        onSome: (id) => Either.right(RevokeTarget.Single({ id }))
      })
  })

/**
 * @internal
 * `revoke <act_id> | --from-file <file> [--json] [--concurrency n] [--rate n/window] [--rate-limit-redis url]`.
 */
export const command = Command.make(
  "revoke",
  {
    ...InternalOptions.target,
    id: Args.text({ name: "act_id" }).pipe(
      Args.withDescription("The actor token to revoke (act_…)"),
      Args.mapEffect((value) => Effect.mapError(decodeActorTokenId(value), HelpDoc.p)),
      Args.optional
    ),
    fromFile: Options.fileText("from-file").pipe(
      Options.withPseudoName("file"),
      Options.withDescription(
        "Revoke every id in this file: one per line, blank lines and # comments ignored. Prints a summary; " +
          "exit code 1 if any id failed"
      ),
      Options.mapEffect(([path, content]) =>
        Either.match(InternalIdsFile.parse(content), {
          onLeft: (message) => Effect.fail(InternalOptions.invalid(`--from-file ${path}: ${message}`)),
          onRight: Effect.succeed
        })
      ),
      Options.optional
    ),
    concurrency: InternalOptions.concurrency("With --from-file: revokes"),
    rate: InternalOptions.rate,
    rateLimitRedis: InternalOptions.rateLimitRedis
  },
  (config) =>
    Effect.flatMap(
      revokeTarget(config),
      RevokeTarget.$match({
        Single: ({ id }) => revokeSingle(id, config.json),
        Bulk: ({ file }) => revokeBulk(file, config)
      })
    )
).pipe(
  // The target is checked before the client starts: a usage error is reported even without a key.
  Command.provide((config) =>
    Layer.unwrapEffect(
      Effect.map(Effect.all([revokeTarget(config), InternalOptions.rateLimitOptions(config)]), ([target, limits]) =>
        // Revoking is safe to repeat, and a long run may meet 429s: allow more retries than a single call does.
        InternalClerk.layer(config, RevokeTarget.$is("Bulk")(target) ? { ...limits, maxRetries: 5 } : limits))
    )
  ),
  Command.withDescription(
    "Revoke a pending actor token, or every id of --from-file. Only pending tokens can be revoked: an accepted or " +
      "revoked one is refused (400 actor_token_cannot_be_revoked_code)."
  )
)
