/**
 * Real processes for the shared rate-limit tests: a `redis-server` of their own on a free loopback port, and worker
 * processes (`worker.mjs`) running the real client with the Redis limiter. Each is ended by the scope that started
 * it, also when an assertion fails.
 */
import { type Emulator, EmulatorServer } from "@effect-clerk/test-kit"
import { Duration, Effect, type Scope } from "effect"
import { Redis } from "ioredis"
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../../../..")

/** The workers import the client's build: bring `dist/` up to date (a no-op when `tsc -b` already ran). */
export const buildClient = (): void => {
  execFileSync(
    process.execPath,
    [
      path.join(root, "node_modules", "typescript", "bin", "tsc"),
      "-b",
      "packages/schema/tsconfig.build.json",
      "packages/client/tsconfig.build.json"
    ],
    { cwd: root, stdio: "inherit" }
  )
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

// ---------------------------------------------------------------------------------------------------------------
// redis-server
// ---------------------------------------------------------------------------------------------------------------

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server at once (SIGKILL), as a crash would. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port, empty. */
  readonly restart: () => Promise<void>
  /** Every key in the server. */
  readonly keys: () => Promise<ReadonlyArray<string>>
  /** Records every command the server runs from now on (`MONITOR`), until the scope closes. */
  readonly monitor: Effect.Effect<RedisMonitor, never, Scope.Scope>
}

/** A command as `MONITOR` reports it: its arguments, and whether a Lua script ran it. */
export interface MonitoredCommand {
  readonly args: ReadonlyArray<string>
  readonly lua: boolean
}

export interface RedisMonitor {
  /**
   * The commands run so far. Redis reports them in the order it runs them: the list is complete once the monitor
   * has seen a marker sent after them, so nothing that already ran is missing however late its report arrives.
   */
  readonly commands: () => Promise<ReadonlyArray<MonitoredCommand>>
}

const connect = async (port: number): Promise<Redis> => {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null })
  client.on("error", () => {})
  await client.connect()
  return client
}

const monitorOn = (port: number): Effect.Effect<RedisMonitor, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = await connect(port)
      const monitor = await client.monitor()
      const seen: Array<MonitoredCommand> = []
      const waiting = new Map<string, () => void>()
      monitor.on("monitor", (_time: string, args: ReadonlyArray<string>, source: string) => {
        if (args[0]?.toLowerCase() === "echo" && waiting.has(args[1] ?? "")) return waiting.get(args[1]!)!()
        seen.push({ args, lua: source === "lua" })
      })
      let markers = 0
      const commands = async () => {
        const marker = `monitor-marker-${++markers}`
        const reached = new Promise<void>((resolve) => waiting.set(marker, resolve))
        await client.echo(marker)
        await reached
        waiting.delete(marker)
        return seen.slice()
      }
      return { client, monitor, commands }
    }),
    ({ client, monitor }) =>
      Effect.sync(() => {
        monitor.disconnect()
        client.disconnect()
      })
  ).pipe(Effect.map(({ commands }): RedisMonitor => ({ commands })))

const missing = "redis-server could not be started. The shared rate-limit tests run a real Redis: install it " +
  "(`apt-get install -y redis-server`; `.ci/run` does so when it is missing)."

const spawnServer = async (port: number): Promise<ChildProcess> => {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  let failure: Error | undefined
  child.on("error", (error) => (failure = new Error(`${missing} (${error.message})`)))
  child.on("exit", (code) => (failure ??= new Error(`${missing} It exited with ${code}:\n${output}`)))
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (failure !== undefined) throw failure
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null })
    client.on("error", () => {})
    try {
      await client.connect()
      if (await client.ping() === "PONG") return child
    } catch {
      // not listening yet
    } finally {
      client.disconnect()
    }
    await sleep(50)
  }
  child.kill("SIGKILL")
  throw new Error(`${missing} It did not answer PING within 15 s:\n${output}`)
}

const killProcess = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** A `redis-server` on a free loopback port, without persistence, stopped when the scope closes. */
export const redisServer: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await freePort()
    let child = await spawnServer(port)
    const server: RedisServer = {
      port,
      url: `redis://127.0.0.1:${port}`,
      kill: () => killProcess(child),
      restart: async () => {
        child = await spawnServer(port)
      },
      keys: async () => {
        const client = await connect(port)
        try {
          return await client.keys("*")
        } finally {
          client.disconnect()
        }
      },
      monitor: monitorOn(port)
    }
    return { server, stop: () => killProcess(child) }
  }),
  ({ stop }) => Effect.promise(stop)
).pipe(Effect.map(({ server }) => server))

// ---------------------------------------------------------------------------------------------------------------
// workers
// ---------------------------------------------------------------------------------------------------------------

export interface WorkerSettings {
  readonly name: string
  readonly apiUrl: string
  /** `null`: the in-process limit only (the control). */
  readonly redisUrl: string | null
  readonly onUnavailable: "fail" | "continue"
  readonly redisTimeoutMs: number
  readonly limit: number
  readonly intervalMs: number
  readonly maxRetries: number
  /** Create + revoke jobs to run; `null`: run until told to stop. */
  readonly jobs: number | null
  readonly concurrency: number
  /** In a timed run, the pause after a failed call. */
  readonly pauseMs: number
}

export interface Attempt {
  readonly sent: number
  readonly received: number
  /** 0 when no response came. */
  readonly status: number
}

export interface Call {
  readonly operation: "create" | "revoke"
  readonly start: number
  readonly end: number
  /** `ok`, or the error's tag. */
  readonly outcome: string
  readonly reason?: string
}

export interface Report {
  readonly name: string
  readonly attempts: ReadonlyArray<Attempt>
  readonly calls: ReadonlyArray<Call>
  readonly logs: ReadonlyArray<{ readonly at: number; readonly level: string; readonly message: string }>
  readonly exit: string
  /** Everything the process printed. */
  readonly output: string
}

export interface Worker {
  readonly name: string
  readonly go: () => void
  readonly stop: () => void
  readonly report: Promise<Report>
}

const startWorker = (settings: WorkerSettings, secretKey: string) => {
  const child = fork(path.join(here, "worker.mjs"), [JSON.stringify(settings)], {
    execArgv: [],
    env: { ...process.env, CLERK_SECRET_KEY: secretKey },
    stdio: ["ignore", "pipe", "pipe", "ipc"]
  })
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (message: { readonly type: string }) => message.type === "ready" && resolve())
    void exited.then(() => reject(new Error(`worker ${settings.name} exited before it was ready:\n${output}`)))
  })
  const report = new Promise<Report>((resolve, reject) => {
    let received: Omit<Report, "name" | "output"> | undefined
    child.on("message", (message: { readonly type: string } & Omit<Report, "name" | "output">) => {
      if (message.type === "report") received = message
    })
    void exited.then(() =>
      received === undefined
        ? reject(new Error(`worker ${settings.name} exited without a report:\n${output}`))
        : resolve({ ...received, name: settings.name, output })
    )
  })
  report.catch(() => {})
  const worker: Worker = {
    name: settings.name,
    go: () => child.connected && child.send({ type: "go" }),
    stop: () => child.connected && child.send({ type: "stop" }),
    report
  }
  return { child, ready, worker }
}

/**
 * Starts the workers and waits until every one has built its layers and warmed up (one job each), then for the
 * emulator's window of the warm-up to pass, so that they all start together on `go`; kills them when the scope
 * closes.
 */
export const workers = (
  list: ReadonlyArray<WorkerSettings>,
  secretKey: string
): Effect.Effect<ReadonlyArray<Worker>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => list.map((settings) => startWorker(settings, secretKey))),
    (started) => Effect.promise(() => Promise.all(started.map(({ child }) => killProcess(child))))
  ).pipe(
    Effect.tap((started) =>
      Effect.promise(() => Promise.all(started.map(({ ready }) => ready))).pipe(
        Effect.timeoutFail({
          duration: Duration.seconds(60),
          onTimeout: () => new Error("the workers were not ready within 60 s")
        }),
        Effect.orDie,
        Effect.zipRight(Effect.sleep(Duration.millis(1_100)))
      )
    ),
    Effect.map((started) => started.map(({ worker }) => worker))
  )

/** Waits for every report. */
export const reports = (list: ReadonlyArray<Worker>): Effect.Effect<ReadonlyArray<Report>> =>
  Effect.promise(() => Promise.all(list.map((worker) => worker.report)))

/** Starts the workers, lets them all go at once, and waits for their reports. */
export const run = (list: ReadonlyArray<WorkerSettings>, secretKey: string) =>
  Effect.gen(function*() {
    const started = yield* workers(list, secretKey)
    for (const worker of started) worker.go()
    return yield* reports(started)
  })

export interface CeilingOptions {
  readonly processes: number
  readonly jobs: number
  readonly concurrency: number
  /** The shared limit. */
  readonly limit: number
  readonly intervalMs: number
  /** The emulator's limit per second: Clerk's, scaled down. */
  readonly ceiling: number
  readonly secretKey: string
}

export interface CeilingRun {
  /** The run sharing the limit through Redis. */
  readonly shared: ReadonlyArray<Report>
  /** The same run with in-process limits only, against a fresh emulator. */
  readonly control: ReadonlyArray<Report>
  readonly rejected: number
  readonly controlRejected: number
  /** From the first request to the last answer of the shared run. */
  readonly elapsed: number
  /** The least time the ceiling allows from the first to the last of the shared run's requests. */
  readonly minimum: number
  /** The requests the emulator of the shared run saw. */
  readonly counts: Emulator.RequestCounts
  /** The keys in Redis after the shared run. */
  readonly keys: ReadonlyArray<string>
  /** The figures, to print. */
  readonly summary: string
}

/**
 * The ceiling run: `processes` workers run create + revoke jobs (`maxRetries: 0`) against a loopback emulator limited
 * to `ceiling` requests per second, sharing `limit` per `intervalMs` through a redis-server of their own; then the
 * control, the same with in-process limits only.
 */
export const atTheCeiling = (options: CeilingOptions): Effect.Effect<CeilingRun, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* redisServer
    const emulator = () =>
      EmulatorServer.make({
        port: 0,
        secretKey: options.secretKey,
        rateLimit: { limit: options.ceiling, interval: "1 second" }
      }).pipe(Effect.orDie)
    const settings = (name: string, apiUrl: string, redisUrl: string | null): WorkerSettings => ({
      name,
      apiUrl,
      redisUrl,
      onUnavailable: "fail",
      redisTimeoutMs: 1_000,
      limit: options.limit,
      intervalMs: options.intervalMs,
      maxRetries: 0,
      jobs: options.jobs,
      concurrency: options.concurrency,
      pauseMs: 100
    })
    const names = Array.from({ length: options.processes }, (_, i) => `p${i}`)
    const rejectedIn = (list: ReadonlyArray<Report>) =>
      list.flatMap((report) => report.attempts).filter((a) => a.status === 429).length

    const server = yield* emulator()
    const shared = yield* run(names.map((name) => settings(name, server.url, redis.url)), options.secretKey)
    const attempts = shared.flatMap((report) => report.attempts)
    const elapsed = Math.max(...attempts.map((a) => a.received)) - Math.min(...attempts.map((a) => a.sent))
    const minimum = (Math.ceil(attempts.length / options.ceiling) - 1) * 1_000
    const counts = yield* server.emulator.requestCounts
    const keys = yield* Effect.promise(redis.keys)

    const controlServer = yield* emulator()
    const control = yield* run(names.map((name) => settings(name, controlServer.url, null)), options.secretKey)
    const controlRequests = control.flatMap((report) => report.attempts).length

    const summary = [
      `${options.processes} processes × ${options.jobs} create+revoke jobs (${options.concurrency} at a time), ` +
      `emulator ceiling ${options.ceiling} per 1 s, maxRetries 0`,
      `  shared (RedisRateLimiter, ${options.limit} per ${options.intervalMs} ms): ${attempts.length} requests, ` +
      `${rejectedIn(shared)} answered 429, outcomes ${JSON.stringify(tally(shared))}; ${elapsed} ms from the first ` +
      `request to the last answer, the ceiling's minimum ${minimum} ms ` +
      `(+${((elapsed / minimum - 1) * 100).toFixed(1)} %, goal ≤ 15 %)`,
      `  control (in-process limits only): ${controlRequests} requests, ${rejectedIn(control)} answered 429, ` +
      `outcomes ${JSON.stringify(tally(control))}`
    ].join("\n")
    return {
      shared,
      control,
      rejected: rejectedIn(shared),
      controlRejected: rejectedIn(control),
      elapsed,
      minimum,
      counts,
      keys,
      summary
    }
  })

/** Outcomes by tag over every call of every report. */
export const tally = (list: ReadonlyArray<Report>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const call of list.flatMap((report) => report.calls)) counts[call.outcome] = (counts[call.outcome] ?? 0) + 1
  return counts
}
