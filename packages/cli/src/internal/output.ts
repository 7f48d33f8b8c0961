import * as Effect from "effect/Effect"

const write = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    // Resumes once the text is handed to the OS, so a later exit cannot cut it short; a closed pipe is not an error.
    stream.write(text, () => resume(Effect.void))
  })

/** The name every message on stderr starts with. */
const programName = "clerk-actor-tokens"

/** @internal Writes to stdout: the command's result (text, or exactly one JSON document with `--json`). */
export const stdout = (text: string): Effect.Effect<void> => write(process.stdout, text)

/** @internal Writes to stderr: notices, progress, errors. */
export const stderr = (text: string): Effect.Effect<void> => write(process.stderr, text)

/** @internal A notice on stderr, one line. */
export const notice = (text: string): Effect.Effect<void> => stderr(`${programName}: ${text}\n`)

/** @internal An error on stderr, one line. */
export const error = (text: string): Effect.Effect<void> => stderr(`${programName}: error: ${text}\n`)

/** @internal Whether stderr is a terminal (progress is redrawn in place) or a pipe or file (one line per id). */
export const stderrIsTerminal: Effect.Effect<boolean> = Effect.sync(() => process.stderr.isTTY === true)

/** @internal The width of the stderr terminal, 80 when unknown. */
export const stderrColumns: Effect.Effect<number> = Effect.sync(() => process.stderr.columns ?? 80)
