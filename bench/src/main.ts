/**
 * `pnpm bench`: one run of every benchmark, then bench/RESULTS.md, bench/latency-ratios.svg and a summary on stdout.
 *
 * Options (flags or environment):
 * - `--rss-calls N` / `BENCH_RSS_CALLS`: calls of the SDK over the recommended transport in the memory phase (default
 *   100000: the goal is "flat over 100,000 calls"); any other SDK client makes half as many;
 * - `--rss-reference-calls N` / `BENCH_RSS_REFERENCE_CALLS`: calls per reference client (raw transports,
 *   @clerk/backend) in the memory phase (default 15000, to keep the run under 6 minutes on 2 cores);
 * - `--rss-clients a,b` / `BENCH_RSS_CLIENTS`: which clients the memory phase runs (default: raw undici, raw fetch,
 *   @clerk/backend, the SDK over fetch and over the recommended transport);
 * - `--quick` / `BENCH_QUICK=1`: a few seconds per phase, to try the harness; writes to bench/dist/quick/, never over
 *   RESULTS.md;
 * - `--phases a,b`: run only these phases (`loopback`: warm-up, sequential create and revoke, throughput; `memory`,
 *   `stub`, `bundle`, `cold`, `auth` (session token verification, auth/verify.ts, printed only), `webhooks` (webhook
 *   verification, auth/webhooks.ts, printed only); default all): the goals of the others read "not measured";
 * - `--report-only`: rewrite RESULTS.md and the chart from the last run's numbers (bench/dist/results.json).
 *
 * The transport the goals are read on is the constant `recommended` in transport.ts.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { analysis } from "./analysis.js"
import { bundle, type BundleResult } from "./bundle.js"
import { type BenchClient, type ClientId, clientIds, createClients, idOf, makeClient, specOf } from "./clients.js"
import { type ColdMode, type ColdRun, coldRun, type Program, recommendedPrograms } from "./cold.js"
import { sequential, throughput, warmUp } from "./measure.js"
import { runWorker, startServer } from "./processes.js"
import { chart } from "./report/chart.js"
import { goals } from "./report/goals.js"
import { markdown } from "./report/markdown.js"
import type { Results } from "./report/results.js"
import type { RssResult } from "./rss.js"
import type { StubTask } from "./stub.js"
import { recommended } from "./transport.js"

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1] ?? ""
}
const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1"
const count = (name: string, env: string, fallback: number): number => {
  const value = Number(flag(name) ?? process.env[env] ?? fallback)
  if (!Number.isInteger(value) || value < 10) throw new Error(`--${name} must be an integer ≥ 10, got ${value}`)
  return value
}

const phaseNames = ["loopback", "memory", "stub", "bundle", "cold", "auth", "webhooks"] as const
const selected = new Set((flag("phases") ?? phaseNames.join(",")).split(","))
for (const name of selected) {
  if (!(phaseNames as ReadonlyArray<string>).includes(name)) throw new Error(`unknown phase ${name}`)
}
const runs = (name: typeof phaseNames[number]): boolean => selected.has(name)

const settings = {
  warmup: quick ? 100 : 250,
  createRounds: quick ? 2 : 8,
  createBatch: quick ? 200 : 300,
  revokeRounds: quick ? 2 : 4,
  revokeBatch: quick ? 100 : 300,
  throughputRounds: quick ? 2 : 3,
  throughputMillis: quick ? 400 : 1_200,
  concurrency: 16,
  rssCalls: count("rss-calls", "BENCH_RSS_CALLS", quick ? 5_000 : 100_000),
  rssReferenceCalls: count("rss-reference-calls", "BENCH_RSS_REFERENCE_CALLS", quick ? 2_000 : 15_000),
  stubMillis: quick ? 100 : 250,
  coldRuns: quick ? 2 : 4
}

const benchDir = fileURLToPath(new URL("../", import.meta.url))
const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`)
}
const seconds: Record<string, number> = {}
const phase = async <A>(name: string, run: () => Promise<A>): Promise<A> => {
  log(`${name}…`)
  const start = performance.now()
  const result = await run()
  seconds[name] = (performance.now() - start) / 1000
  log(`${name}: ${seconds[name].toFixed(1)} s`)
  return result
}

const versionOf = (name: string): string => {
  const path = `${benchDir}node_modules/${name}/package.json`
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version
}

const sdkRec = idOf("sdk", recommended)
const rssDefault = [...new Set<ClientId>(["raw-undici", "raw-fetch", "clerk-backend", "sdk-fetch", sdkRec])]

const coldPrograms = (mode: ColdMode): ReadonlyArray<Program> => {
  const rec = [recommendedPrograms.sdk, recommendedPrograms.floor]
  const all: ReadonlyArray<Program> = mode === "unbundled"
    ? ["node", "raw-undici", "raw-fetch", "clerk", "sdk-index", "floor-index", "sdk-deep", "floor-deep", ...rec]
    : ["clerk", "sdk-index", "floor-index", ...rec]
  return [...new Set(all)]
}
const bundlePrograms: ReadonlyArray<Program> = [
  ...new Set<Program>([
    "sdk-index",
    "floor-index",
    "sdk-deep",
    "floor-deep",
    recommendedPrograms.sdk,
    recommendedPrograms.floor,
    "clerk"
  ])
]

const measure = async (): Promise<Results> => {
  const totalStart = performance.now()
  const loadStart = os.loadavg()[0]!
  const server = await startServer()
  log(`server on ${server.apiUrl} (chunked ${server.urls.chunked}, gzip ${server.urls.gzip})`)
  const serverCpu = async () => (await server.stats()).cpuMicros

  const clients: Array<BenchClient> = runs("loopback") ? createClients.map((id) => makeClient(id, server.urls)) : []
  if (runs("loopback")) await phase("warm-up", () => warmUp(clients, settings.warmup))
  const create = await phase(
    "sequential create",
    () => sequential(clients, "create", { rounds: settings.createRounds, batch: settings.createBatch })
  )
  const revoke = await phase(
    "sequential revoke",
    () =>
      sequential(clients.filter((c) => specOf(c.id).kind !== "floor"), "revoke", {
        rounds: settings.revokeRounds,
        batch: settings.revokeBatch
      })
  )
  const tp = await phase(
    "throughput c16",
    () =>
      throughput(clients.filter((c) => specOf(c.id).shape === "length"), {
        rounds: settings.throughputRounds,
        millis: settings.throughputMillis,
        concurrency: settings.concurrency,
        serverCpu
      })
  )
  await Promise.all(clients.map((c) => c.close()))

  const rssIds = !runs("memory") ? [] : (flag("rss-clients") ?? process.env.BENCH_RSS_CLIENTS ?? rssDefault.join(","))
    .split(",")
    .map((id) => {
      if (!(clientIds as ReadonlyArray<string>).includes(id)) throw new Error(`unknown client ${id}`)
      return id as ClientId
    })
  const rss = await phase("memory", async () => {
    const out: Array<RssResult> = []
    for (const id of rssIds) {
      const calls = id === sdkRec
        ? settings.rssCalls
        : specOf(id).kind === "sdk"
        ? Math.round(settings.rssCalls / 2)
        : settings.rssReferenceCalls
      out.push(
        await runWorker<RssResult>("rss", [id, JSON.stringify(server.urls), `${calls}`, `${settings.concurrency}`], [
          "--expose-gc"
        ])
      )
      log(`  memory ${id}: ${calls} calls, ${out.at(-1)!.seconds.toFixed(1)} s`)
    }
    return out
  })

  const stub = runs("stub")
    ? await phase("stubbed network", () => runWorker<Array<StubTask>>("stub", [`${settings.stubMillis}`]))
    : []

  // Before the cold start: the bundled cold start runs the bundles written here.
  const bundles = await phase("bundle size", async () => {
    const out: Partial<Record<Program, BundleResult>> = {}
    if (runs("bundle") || runs("cold")) { for (const program of bundlePrograms) out[program] = await bundle(program) }
    return out
  })

  const cold = await phase("cold start", async () => {
    const out: Partial<Record<ColdMode, Partial<Record<Program, Array<ColdRun>>>>> = {}
    // Interleaved: each run goes through every program once, so drift spreads over all of them.
    for (let run = 0; run < (runs("cold") ? settings.coldRuns : 0); run++) {
      for (const mode of ["unbundled", "bundled"] as const) {
        const byProgram = out[mode] ??= {}
        for (const program of coldPrograms(mode)) {
          ;(byProgram[program] ??= []).push(await coldRun(program, mode, server.apiUrl))
        }
      }
    }
    return out
  })

  const serverStats = await server.stats()
  await server.close()
  seconds["total"] = (performance.now() - totalStart) / 1000

  return {
    env: {
      date: new Date().toISOString(),
      node: process.versions.node,
      cpu: os.cpus()[0]?.model.trim() ?? "unknown",
      cores: os.availableParallelism(),
      versions: {
        effect: versionOf("effect"),
        "@effect/platform": versionOf("@effect/platform"),
        "@effect/platform-node": versionOf("@effect/platform-node"),
        undici: versionOf("undici"),
        "@clerk/backend": versionOf("@clerk/backend"),
        "node's bundled undici (fetch)": process.versions.undici ?? "?",
        tinybench: versionOf("tinybench"),
        esbuild: versionOf("esbuild")
      },
      settings,
      seconds,
      load: `${loadStart.toFixed(2)} / ${os.loadavg()[0]!.toFixed(2)}`,
      recommended
    },
    create,
    revoke,
    throughput: tp,
    rss,
    stub,
    cold,
    bundles,
    server: serverStats
  }
}

// A quick run never replaces the committed RESULTS.md: it writes beside the build output.
const outDir = quick ? `${benchDir}dist/quick/` : benchDir
mkdirSync(outDir, { recursive: true })
const savedPath = `${benchDir}dist/${quick ? "results.quick.json" : "results.json"}`
const reportOnly = process.argv.includes("--report-only")
const results: Results = reportOnly ? JSON.parse(readFileSync(savedPath, "utf8")) as Results : await measure()
if (!reportOnly) writeFileSync(savedPath, JSON.stringify(results))

const goalRows = goals(results)
writeFileSync(`${outDir}latency-ratios.svg`, chart(results.create))
writeFileSync(`${outDir}RESULTS.md`, markdown(results, goalRows, analysis(results)))

const summary = [
  "",
  "Goals:",
  ...goalRows.map((g) =>
    `  ${g.met === undefined ? "----" : g.met ? "MET " : "MISS"} ${g.goal}: ${g.measured} (target ${g.target})${
      g.note ? `; ${g.note}` : ""
    }`
  ),
  "",
  "Sequential create (p50 µs / CPU µs per call):",
  ...results.create.map((row) =>
    `  ${row.id.padEnd(26)} ${row.p50.toFixed(0).padStart(6)} ${row.cpuPerCall.toFixed(0).padStart(6)}`
  ),
  "Throughput c16 (req/s):",
  ...results.throughput.map((row) => `  ${row.id.padEnd(26)} ${row.median.toFixed(0).padStart(6)}`),
  "",
  `Wrote ${outDir}RESULTS.md and latency-ratios.svg; the run took ${(results.env.seconds["total"] ?? 0).toFixed(0)} s.`
]
process.stdout.write(`${summary.join("\n")}\n`)

// Session token and webhook verification are measured in processes of their own (auth/verify.ts, auth/webhooks.ts), so
// no client's JIT state or garbage is charged to them.
const printedPhases = [
  ["auth", "auth: session token verification", "./auth/verify.js"],
  ["webhooks", "webhooks: verifying one signed event", "./auth/webhooks.js"]
] as const
for (const [name, title, script] of printedPhases) {
  if (reportOnly || !runs(name)) continue
  log(title)
  spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...(quick ? ["--quick"] : [])], {
    stdio: "inherit"
  })
}
