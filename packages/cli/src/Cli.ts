/**
 * `clerk-actor-tokens`: the commands (`create`, `revoke`), built with `@effect/cli`, and {@link run}, which turns a
 * command line into an exit code.
 *
 * @since 0.1.0
 */
import { ActorTokens } from "@effect-clerk/client"
import { ActorToken, Ids } from "@effect-clerk/schema"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as BulkRevoke from "./BulkRevoke.js"
import { BulkRevokeIncomplete, type CliError, describe, UsageError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import * as InternalClaims from "./internal/claims.js"
import * as InternalClerk from "./internal/clerk.js"
import * as InternalDuration from "./internal/duration.js"
import * as InternalIdsFile from "./internal/idsFile.js"
import * as InternalOutput from "./internal/output.js"
import * as InternalProgress from "./internal/progress.js"
import { version } from "./internal/version.js"
import { Output } from "./Output.js"

// ---------------------------------------------------------------------------------------------------------------
// parsing helpers
// ---------------------------------------------------------------------------------------------------------------

const invalid = (message: string): ValidationError.ValidationError => ValidationError.invalidValue(HelpDoc.p(message))

const issues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.message).join("; ")

/** Decodes the value of `flag` with `schema`; a failure is one line naming the flag. */
const decodeWith = <A>(flag: string, schema: Schema.Schema<A, string>) => {
  const decode = Schema.decode(schema)
  return (value: string): Effect.Effect<A, string> =>
    Effect.mapError(decode(value), (error) => `${flag} ${JSON.stringify(value)}: ${issues(error)}`)
}

/** {@link decodeWith} for an option's value: a failure is a usage error. */
const optionWith = <A>(flag: string, schema: Schema.Schema<A, string>) => {
  const decode = decodeWith(flag, schema)
  return (value: string): Effect.Effect<A, ValidationError.ValidationError> => Effect.mapError(decode(value), invalid)
}

const encodeToken = Schema.encode(ActorToken.ActorToken)
const encodeSummary = Schema.encode(BulkRevoke.Summary)

/** The token's wire JSON, exactly as Clerk sent it back (credentials included): encoded by the schema. */
const tokenJson = (token: ActorToken.ActorToken): Effect.Effect<string> =>
  Effect.map(Effect.orDie(encodeToken(token)), (json) => JSON.stringify(json))

const table = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([key]) => key.length))
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join("")
}

// ---------------------------------------------------------------------------------------------------------------
// shared options
// ---------------------------------------------------------------------------------------------------------------

const apiUrl = Options.text("api-url").pipe(
  Options.withPseudoName("url"),
  Options.withDescription(
    "Base URL of a Clerk-compatible Backend API (default CLERK_API_URL, else https://api.clerk.com); " +
      "https, or http on loopback"
  ),
  // Where the URL came from: --emulator refuses --api-url, and ignores CLERK_API_URL.
  Options.map((url) => ({ url, source: "--api-url" as const })),
  Options.withFallbackConfig(
    Config.map(Config.string("CLERK_API_URL"), (url) => ({ url, source: "CLERK_API_URL" as const }))
  ),
  Options.optional
)

const emulator = Options.boolean("emulator").pipe(
  Options.withDescription(
    "Run against an embedded Clerk emulator on 127.0.0.1 started for this command, with its own test key " +
      "(CLERK_SECRET_KEY not needed; nothing reaches Clerk)"
  )
)

const json = Options.boolean("json").pipe(
  Options.withDescription("Print exactly one JSON document on stdout; every notice goes to stderr")
)

const target = { apiUrl, emulator, json } as const

// ---------------------------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------------------------

const decodeClaim = optionWith("--claim", InternalClaims.ClaimFromString)

const createCommand = Command.make(
  "create",
  {
    ...target,
    user: Options.text("user").pipe(
      Options.withPseudoName("user_id"),
      Options.withDescription("The user to impersonate (user_…)"),
      Options.mapEffect(optionWith("--user", Ids.UserId))
    ),
    actor: Options.text("actor").pipe(
      Options.withPseudoName("user_id"),
      Options.withDescription("The impersonator: the `sub` of the session's `act` claim (user_…)"),
      Options.mapEffect(optionWith("--actor", Ids.UserId))
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
              onLeft: (message) => Effect.fail(invalid(message)),
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
      Options.mapEffect(optionWith("--expires-in", InternalDuration.HumanSeconds)),
      Options.optional
    ),
    sessionMax: Options.text("session-max").pipe(
      Options.withPseudoName("duration"),
      Options.withDescription("Longest session the token can start: 30m, 2h, … (Clerk's default: 30m)"),
      Options.mapEffect(optionWith("--session-max", InternalDuration.HumanSeconds)),
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
          : InternalOutput.stdout(table([
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
        : InternalOutput.stdout(table([["id", token.id], ["status", token.status]]))
    )
  )

const humanSummary = (summary: BulkRevoke.Summary): string => {
  const failures = summary.results.filter((result) => result.outcome === "failed")
  return table([
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

const decodeActorTokenId = decodeWith("act_id", Ids.ActorTokenId)

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

/** A concurrency from 1 to 32, checked by `Options.withSchema`. */
const Concurrency = Schema.Int.pipe(Schema.between(1, 32)).annotations({
  message: (issue) => ({
    message: `--concurrency ${String(issue.actual)}: must be a whole number from 1 to 32`,
    override: true
  })
})

const revokeCommand = Command.make(
  "revoke",
  {
    ...target,
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
          onLeft: (message) => Effect.fail(invalid(`--from-file ${path}: ${message}`)),
          onRight: Effect.succeed
        })
      ),
      Options.optional
    ),
    concurrency: Options.integer("concurrency").pipe(
      Options.withPseudoName("n"),
      Options.withDescription("With --from-file: revokes in flight at once, 1 to 32"),
      Options.withSchema(Concurrency),
      Options.withDefault(4)
    ),
    rate: Options.text("rate").pipe(
      Options.withPseudoName("n/window"),
      Options.withDescription(
        "A client-side ceiling of n requests per window, retries included: 10/1s, 100/10s (Clerk's 429s are " +
          "retried after Retry-After either way)"
      ),
      Options.mapEffect(optionWith("--rate", InternalDuration.RateFromString)),
      Options.optional
    )
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
    Layer.unwrapEffect(Effect.map(revokeTarget(config), (target) => {
      const rateLimit = Option.match(config.rate, { onNone: () => ({}), onSome: (rateLimit) => ({ rateLimit }) })
      // Revoking is safe to repeat, and a long run may meet 429s: allow more retries than a single call does.
      return InternalClerk.layer(config, RevokeTarget.$is("Bulk")(target) ? { ...rateLimit, maxRetries: 5 } : rateLimit)
    }))
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
 * The root command, `clerk-actor-tokens`, with its subcommands `create` and `revoke`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "clerk-actor-tokens",
  {},
  () => Effect.fail(new UsageError({ message: "missing a command: create or revoke (see --help)" }))
).pipe(
  Command.withDescription("Create and revoke Clerk actor tokens (user impersonation) from the shell."),
  Command.withSubcommands([createCommand, revokeCommand])
)

const footer = HelpDoc.blocks([
  HelpDoc.h1("ENVIRONMENT"),
  HelpDoc.descriptionList([
    [
      Span.text("CLERK_SECRET_KEY"),
      HelpDoc.p("The Backend API secret key (sk_…). Required unless --emulator; never accepted as a flag.")
    ],
    [Span.text("CLERK_API_URL"), HelpDoc.p("Base URL of the Backend API (default https://api.clerk.com).")],
    [Span.text("CLERK_API_VERSION"), HelpDoc.p("The path segment after the URL (default v1).")]
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

const report = (error: CliError): Effect.Effect<ExitCode.ExitCode> =>
  Effect.as(InternalOutput.error(describe(error)), ExitCode.fromError(error))

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
 * `Terminal` services (`NodeContext.layer`), and the `HttpClient` that reaches Clerk (`FetchHttpClient.layer`).
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-clerk/cli"
 * import { FetchHttpClient } from "@effect/platform"
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * Cli.run(process.argv).pipe(
 *   Effect.tap((code) => Effect.sync(() => (process.exitCode = code))),
 *   Effect.provide([NodeContext.layer, FetchHttpClient.layer]),
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
