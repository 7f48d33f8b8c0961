/**
 * `clerk-actor-tokens`: the commands (`create`, `revoke`, `sessions`, `end`), built with `@effect/cli`, and
 * {@link run}, which turns a command line into an exit code.
 *
 * @since 0.1.0
 */
import { ClerkError } from "@effect-clerk/client"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as BulkRevoke from "./BulkRevoke.js"
import { type CliError, describe, UsageError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import * as CreateCommand from "./internal/commands/create.js"
import * as EndCommand from "./internal/commands/end.js"
import * as RevokeCommand from "./internal/commands/revoke.js"
import * as SessionsCommand from "./internal/commands/sessions.js"
import * as InternalOutput from "./internal/output.js"
import { version } from "./internal/version.js"
import { Output } from "./Output.js"

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
    CreateCommand.command,
    RevokeCommand.command,
    SessionsCommand.command,
    EndCommand.command
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
