/**
 * `clerk-actor-tokens`: the commands (`create`, `revoke`, `sessions`, `end`), built with `@effect/cli`, and
 * {@link run}, which turns a command line into an exit code.
 *
 * @since 0.1.0
 */
import { ActorTokens, ClerkError } from "@effect-clerk/client"
import { ActorToken, Ids } from "@effect-clerk/schema"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as BulkRevoke from "./BulkRevoke.js"
import { BulkRevokeIncomplete, type CliError, describe, UsageError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import * as InternalClaims from "./internal/claims.js"
import * as InternalClerk from "./internal/clerk.js"
import * as InternalDuration from "./internal/duration.js"
import * as InternalIdsFile from "./internal/idsFile.js"
import * as InternalImpersonations from "./internal/impersonations.js"
import * as InternalOptions from "./internal/options.js"
import * as InternalOutput from "./internal/output.js"
import * as InternalProgress from "./internal/progress.js"
import { version } from "./internal/version.js"
import { Output } from "./Output.js"

const encodeToken = Schema.encode(ActorToken.ActorToken)
const encodeSummary = Schema.encode(BulkRevoke.Summary)

/** The token's wire JSON, exactly as Clerk sent it back (credentials included): encoded by the schema. */
const tokenJson = (token: ActorToken.ActorToken): Effect.Effect<string> =>
  Effect.map(Effect.orDie(encodeToken(token)), (json) => JSON.stringify(json))

// ---------------------------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------------------------

const decodeClaim = InternalOptions.optionWith("--claim", InternalClaims.ClaimFromString)

const createCommand = Command.make(
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
          ? Effect.flatMap(tokenJson(token), (text) => InternalOutput.stdout(`${text}\n`))
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

// ---------------------------------------------------------------------------------------------------------------
// revoke
// ---------------------------------------------------------------------------------------------------------------

const revokeSingle = (id: Ids.ActorTokenId, asJson: boolean) =>
  ActorTokens.revoke(id).pipe(
    Effect.flatMap((token) =>
      asJson
        ? Effect.flatMap(tokenJson(token), (text) => InternalOutput.stdout(`${text}\n`))
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

const revokeCommand = Command.make(
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

// ---------------------------------------------------------------------------------------------------------------
// the app
// ---------------------------------------------------------------------------------------------------------------

/**
 * The root command, `clerk-actor-tokens`, with its subcommands `create`, `revoke`, `sessions` and `end`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "clerk-actor-tokens",
  {},
  () => Effect.fail(new UsageError({ message: "missing a command: create, revoke, sessions or end (see --help)" }))
).pipe(
  Command.withDescription(
    "Create and revoke Clerk actor tokens (user impersonation), and see and end the impersonations they started, " +
      "from the shell."
  ),
  Command.withSubcommands([
    createCommand,
    revokeCommand,
    InternalImpersonations.sessionsCommand,
    InternalImpersonations.endCommand
  ])
)

const footer = HelpDoc.blocks([
  HelpDoc.h1("ENVIRONMENT"),
  HelpDoc.descriptionList([
    [
      Span.text("CLERK_SECRET_KEY"),
      HelpDoc.p("The Backend API secret key (sk_…). Required unless --emulator; never accepted as a flag.")
    ],
    [Span.text("CLERK_API_URL"), HelpDoc.p("Base URL of the Backend API (default https://api.clerk.com).")]
  ]),
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.descriptionList([
    [Span.text(String(ExitCode.table[0]![0])), HelpDoc.p(ExitCode.table[0]![1])],
    ...ExitCode.table.slice(1).map(([code, meaning]): [Span.Span, HelpDoc.HelpDoc] => [
      Span.text(String(code)),
      HelpDoc.p(meaning)
    ])
  ])
])

const cli = Command.run(command, {
  name: "clerk-actor-tokens",
  version,
  footer
})

const usedTokenHint = "the token is no longer pending: if it was used (accepted), the impersonation is a session of " +
  "the user now; end it with `clerk-actor-tokens end --user <user_id> [--actor <impersonator_id>]`"

const report = (error: CliError): Effect.Effect<ExitCode.ExitCode> =>
  InternalOutput.error(describe(error)).pipe(
    // Only `revoke <id>` fails with "cannot be revoked" (a bulk revoke counts it as not pending).
    Effect.zipRight(
      ClerkError.hasCode(error, BulkRevoke.cannotBeRevokedCode) ? InternalOutput.notice(usedTokenHint) : Effect.void
    ),
    Effect.as(ExitCode.fromError(error))
  )

/**
 * A usage error found by `@effect/cli` (unknown flag, missing option, invalid value) as one of the CLI's own: its
 * paragraphs on one line.
 */
const fromValidationError = (error: ValidationError.ValidationError): UsageError => {
  const lines = InternalOutput.docText(error.error).split("\n").map((line) => line.trim()).filter((line) => line !== "")
  return new UsageError({ message: lines.length === 0 ? "invalid command line (see --help)" : lines.join("; ") })
}

/**
 * Runs a command line (`process.argv`: the runtime and script first) and returns its exit code. Every failure,
 * usage errors included, is reported on stderr in one line, `clerk-actor-tokens: error: …`.
 *
 * Everything is printed through the {@link Output} service (the process's stdout and stderr unless provided); the
 * help is in colour only when stdout is a terminal and `NO_COLOR` is not set. Needs the `FileSystem`, `Path` and
 * `Terminal` services (`NodeContext.layer`), and the `HttpClient` that reaches Clerk (`NodeHttpClient.layerUndici`, or
 * `FetchHttpClient.layer`).
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-clerk/cli"
 * import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * Cli.run(process.argv).pipe(
 *   Effect.tap((code) => Effect.sync(() => (process.exitCode = code))),
 *   Effect.provide([NodeContext.layer, NodeHttpClient.layerUndici]),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<ExitCode.ExitCode, never, CliApp.CliApp.Environment | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const output = yield* Output
    const color = output.stdout.isTerminal && !(yield* InternalOutput.noColor)
    const console = yield* Effect.console
    return yield* cli(argv).pipe(
      Effect.as(ExitCode.ExitCode.Ok),
      Effect.catchAll((error) => report(ValidationError.isValidationError(error) ? fromValidationError(error) : error)),
      Effect.withConsole(InternalOutput.cliConsole(console, output, color))
    )
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.as(
        InternalOutput.error(`internal error: ${defect instanceof Error ? defect.message : String(defect)}`),
        ExitCode.ExitCode.Unavailable
      )
    )
  )
