/**
 * Runs `clerk-actor-tokens` in this process, as the bin does (`Cli.run` over `NodeContext`, logs on stderr), with its
 * output captured: an `Output` and a `Console` (which the logger writes through) over the same two buffers.
 */
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import type { Ids } from "@effect-clerk/schema"
import { Emulator, TestClerk } from "@effect-clerk/test-kit"
import type { HttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Chunk, ConfigProvider, Console, Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { Console as NodeConsole } from "node:console"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Writable } from "node:stream"
import * as Cli from "../../src/Cli.js"
import type * as ExitCode from "../../src/ExitCode.js"
import * as InternalOutput from "../../src/internal/output.js"
import * as Output from "../../src/Output.js"

/** What a run printed, and its exit code. */
export interface Run {
  readonly code: ExitCode.ExitCode
  readonly stdout: string
  readonly stderr: string
}

/** How the run sees its world. */
export interface RunOptions {
  /** The environment it reads (`CLERK_*`, `NO_COLOR`): only these, never the machine's. */
  readonly env?: Record<string, string> | undefined
  /** Whether stdout is a terminal (help in colour). Default: a pipe. */
  readonly stdoutIsTerminal?: boolean | undefined
  /** Whether stderr is a terminal (progress redrawn in place). Default: a pipe. */
  readonly stderrIsTerminal?: boolean | undefined
  /** The terminal's width. */
  readonly columns?: number | undefined
}

const sink = (append: (text: string) => void) =>
  new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      append(String(chunk))
      callback()
    }
  })

/** An Effect `Console` over a Node `Console` writing to two buffers, like `@effect/cli`'s own mock console. */
const testConsole = (stdout: (text: string) => void, stderr: (text: string) => void): Console.Console => {
  const unsafe = new NodeConsole({ stdout: sink(stdout), stderr: sink(stderr) })
  return {
    [Console.TypeId]: Console.TypeId,
    assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
    clear: Effect.sync(() => unsafe.clear()),
    count: (label) => Effect.sync(() => unsafe.count(label)),
    countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
    debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
    dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
    dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
    error: (...args) => Effect.sync(() => unsafe.error(...args)),
    group: (options) =>
      Effect.sync(() =>
        options?.collapsed === true ? unsafe.groupCollapsed(options.label) : unsafe.group(options?.label)
      ),
    groupEnd: Effect.sync(() => unsafe.groupEnd()),
    info: (...args) => Effect.sync(() => unsafe.info(...args)),
    log: (...args) => Effect.sync(() => unsafe.log(...args)),
    table: (data, properties) => Effect.sync(() => unsafe.table(data, properties)),
    time: (label) => Effect.sync(() => unsafe.time(label)),
    timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
    timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
    trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
    warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
    unsafe
  }
}

/** Runs `clerk-actor-tokens <args>` in this process; the `HttpClient` that reaches Clerk comes from the test. */
export const cli = (
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<Run, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    let stdout = ""
    let stderr = ""
    const stream = (isTerminal: boolean | undefined, append: (text: string) => void): Output.Stream => ({
      write: (text) => Effect.sync(() => append(text)),
      isTerminal: isTerminal === true,
      columns: Effect.succeed(options.columns ?? 80)
    })
    const output: Output.Service = {
      stdout: stream(options.stdoutIsTerminal, (text) => (stdout += text)),
      stderr: stream(options.stderrIsTerminal, (text) => (stderr += text))
    }
    const code = yield* Cli.run(["node", "clerk-actor-tokens", ...args]).pipe(
      Effect.provideService(Output.Output, output),
      Effect.withConsole(testConsole((text) => (stdout += text), (text) => (stderr += text))),
      Effect.provide(Layer.mergeAll(NodeContext.layer, InternalOutput.logsToStderr)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(options.env ?? {}))))
    )
    return { code, stdout, stderr }
  })

/** A fresh emulator in memory, and the `HttpClient` that reaches it: what a test gives `cli`. */
export const inMemory = (
  options: Emulator.Options = {}
): Layer.Layer<HttpClient.HttpClient | Emulator.Emulator, Emulator.EmulatorConfigError> =>
  Layer.provideMerge(TestClerk.layerHttpClient, Emulator.layer(options))

/** The environment of a user of this emulator: its key and URL. */
export const envOf = (emulator: Emulator.Service): Record<string, string> => ({
  CLERK_SECRET_KEY: Redacted.value(emulator.options.secretKey),
  CLERK_API_URL: emulator.options.baseUrl
})

/** A pending token, made by another client. */
export const createPending = (
  userId = "user_customer"
): Effect.Effect<Ids.ActorTokenId, never, Emulator.Emulator> =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const token = yield* ActorTokens.create({ userId, actor: { sub: "user_support" } }).pipe(
      Effect.provide(
        ClerkClient.layer({ secretKey: emulator.options.secretKey, apiUrl: emulator.options.baseUrl, maxRetries: 0 })
          .pipe(Layer.provide(TestClerk.layerHttpClient))
      ),
      Effect.orDie
    )
    return token.id
  })

/** Every request the emulator has seen. */
export const totalRequests = (emulator: Emulator.Service): Effect.Effect<number> =>
  Effect.map(emulator.requestCounts, (counts) => counts.create + counts.revoke + counts.accept + counts.unmatched)

/**
 * Runs `effect` on the `TestClock`, moving the clock to each sleep it waits on that ends within 5 seconds (a
 * `Retry-After`, a rate-limit window), never as far as a request's 10-second timeout.
 */
export const onTestClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    while (true) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      const now = yield* TestClock.currentTimeMillis
      const due = Chunk.filter(yield* TestClock.sleeps(), (at) => at <= now + 5_000)
      if (Chunk.isNonEmpty(due)) yield* TestClock.setTime(Math.min(...due))
      else yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
  })

/** A scratch directory for ids files, removed by `cleanup`. */
export const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-actor-tokens-"))
  return {
    file: (name: string, lines: ReadonlyArray<string>): string => {
      const file = path.join(dir, name)
      writeFileSync(file, lines.join("\n"))
      return file
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}
