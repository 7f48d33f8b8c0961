/**
 * What the tests that run the real bin as a process share: the build it runs from, an environment free of the
 * machine's `CLERK_*` and `NO_COLOR`, and a runner that kills the child however the test ends.
 */
import { Effect } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const root = path.resolve(packageDir, "../..")

/** The child never sees the CLERK_* variables of the machine running the tests, nor NO_COLOR. */
export const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith("CLERK_") && name !== "NO_COLOR")
)

/** Brings the CLI's `dist/` up to date, which the bin runs (a no-op when `tsc -b` already ran). */
export const buildCli = (): void => {
  execFileSync(process.execPath, [
    path.join(root, "node_modules/typescript/bin/tsc"),
    "-b",
    "packages/cli/tsconfig.build.json"
  ], { cwd: root, stdio: "inherit" })
}

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node script ...args` with {@link env}; the child is killed when the effect ends, whatever happened. */
export const runNode = (
  script: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string } = {}
): Effect.Effect<Result> =>
  Effect.acquireUseRelease(
    Effect.sync(() => spawn(process.execPath, [script, ...args], { cwd: options.cwd, env, stdio: "pipe" })),
    (child: ChildProcess) =>
      Effect.async<Result>((resume) => {
        let stdout = ""
        let stderr = ""
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
        child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
      }),
    (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )
