import { ActorToken } from "@effect-clerk/schema"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Config from "effect/Config"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Schema from "effect/Schema"
import { format } from "node:util"
import { Output, type Service } from "../Output.js"

/** The name every message on stderr starts with. */
const programName = "clerk-actor-tokens"

/** @internal Writes to stdout: the command's result (text, or exactly one JSON document with `--json`). */
export const stdout = (text: string): Effect.Effect<void> =>
  Effect.flatMap(Output, (output) => output.stdout.write(text))

/** Writes to stderr: notices, progress, errors. */
const stderr = (text: string): Effect.Effect<void> => Effect.flatMap(Output, (output) => output.stderr.write(text))

const encodeToken = Schema.encode(ActorToken.ActorToken)

/** @internal The token's wire JSON, exactly as Clerk sent it back (credentials included): encoded by the schema. */
export const tokenJson = (token: ActorToken.ActorToken): Effect.Effect<string> =>
  Effect.map(Effect.orDie(encodeToken(token)), (json) => JSON.stringify(json))

/** @internal A notice on stderr, one line. */
export const notice = (text: string): Effect.Effect<void> => stderr(`${programName}: ${text}\n`)

/** @internal An error on stderr, one line. */
export const error = (text: string): Effect.Effect<void> => stderr(`${programName}: error: ${text}\n`)

// Control sequences (CSI: colours, cursor moves, erasing), as @effect/printer-ansi writes them.
const controlSequence = /\x1b\[[0-?]*[ -/]*[@-~]/g

/** The text without its colours and other terminal control sequences. */
const plain = (text: string): string => text.replace(controlSequence, "")

/** @internal A help document of `@effect/cli` (a usage error's text) as plain text. */
export const docText = (doc: HelpDoc.HelpDoc): string => plain(HelpDoc.toAnsiText(doc))

/**
 * @internal
 * `NO_COLOR` set to anything but the empty string turns colours off (https://no-color.org), read through the
 * `ConfigProvider` like every other setting.
 */
export const noColor: Effect.Effect<boolean> = Config.string("NO_COLOR").pipe(
  Config.withDefault(""),
  Effect.map((value) => value !== ""),
  Effect.orElseSucceed(() => false)
)

/**
 * @internal
 * The `Console` that `@effect/cli` prints through, over the {@link Output}:
 *
 * - `log` (help, `--version`, completions) goes to stdout, in colour only when `color` is set (stdout a terminal and
 *   no `NO_COLOR`);
 * - `error` prints nothing: `@effect/cli` prints a usage error there before failing with it, as a bare help document
 *   (twice after `--log-level`); `Cli.run` reports the error itself, once, on one line like every other error;
 * - the rest (`unsafe`, which loggers write through) is the console it replaces.
 */
export const cliConsole = (console: Console.Console, output: Service, color: boolean): Console.Console => ({
  ...console,
  log: (...args) => output.stdout.write(`${color ? format(...args) : plain(format(...args))}\n`),
  error: () => Effect.void
})

/** @internal Logs (e.g. with `--log-level debug`) go to stderr: stdout holds only the command's result. */
export const logsToStderr = Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true }))
