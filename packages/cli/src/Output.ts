/**
 * Where `clerk-actor-tokens` writes: the command's result on stdout; notices, progress and errors on stderr. By
 * default the process's own streams; provide another {@link Output} to capture what a command prints (a test, a
 * program that embeds `Cli.run`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * One output stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  /** Writes the text as it is (no newline added), and resumes once the text is handed on. */
  readonly write: (text: string) => Effect.Effect<void>
  /** Whether the stream is a terminal (help in colour, progress redrawn in place) rather than a pipe or a file. */
  readonly isTerminal: boolean
  /** The width of the terminal in columns; 80 when unknown. */
  readonly columns: Effect.Effect<number>
}

/**
 * The service: stdout and stderr.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The command's result: text, or exactly one JSON document with `--json`. */
  readonly stdout: Stream
  /** Notices, progress, logs and errors. */
  readonly stderr: Stream
}

const fromNodeStream = (stream: NodeJS.WriteStream): Stream => ({
  // Resumes once the text is handed to the OS, so a later exit cannot cut it short; a closed pipe is not an error.
  write: (text) => Effect.async<void>((resume) => void stream.write(text, () => resume(Effect.void))),
  isTerminal: stream.isTTY === true,
  columns: Effect.sync(() => stream.columns ?? 80)
})

/**
 * The output of the commands, `process.stdout` and `process.stderr` unless provided.
 *
 * @example
 * ```ts
 * import { Cli, Output } from "@effect-clerk/cli"
 * import { FetchHttpClient } from "@effect/platform"
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * // Collect what `--help` prints instead of writing it to the terminal.
 * let text = ""
 * const stream: Output.Stream = {
 *   write: (chunk) => Effect.sync(() => void (text += chunk)),
 *   isTerminal: false,
 *   columns: Effect.succeed(80)
 * }
 * const program = Cli.run(["node", "clerk-actor-tokens", "--help"]).pipe(
 *   Effect.provideService(Output.Output, { stdout: stream, stderr: stream }),
 *   Effect.provide([NodeContext.layer, FetchHttpClient.layer])
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Output extends Context.Reference<Output>()("@effect-clerk/cli/Output", {
  defaultValue: (): Service => ({ stdout: fromNodeStream(process.stdout), stderr: fromNodeStream(process.stderr) })
}) {}
