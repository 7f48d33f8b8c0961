/**
 * `pnpm bench`: one run of every benchmark, then bench/RESULTS.md, bench/latency-ratios.svg and a summary on stdout.
 *
 * Options (flags or environment):
 * - `--rss-calls N` / `BENCH_RSS_CALLS`: calls per client in the memory phase (default 15000, which keeps the whole
 *   run under 5 minutes on 2 cores even when the machine is shared; `--rss-calls 100000` for the long soak);
 * - `--rss-clients a,b` / `BENCH_RSS_CLIENTS`: which clients the memory phase runs (default: raw undici, raw fetch,
 *   @clerk/backend, SDK over fetch, SDK over undici);
 * - `--quick` / `BENCH_QUICK=1`: a few seconds per phase, to try the harness; writes to bench/dist/quick/, never over
 *   RESULTS.md;
 * - `--report-only`: rewrite RESULTS.md and the chart from the last run's numbers (bench/dist/results.json).
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { analysis } from "./analysis.js"
import { bundle, bundleEntries, type BundleEntry, type BundleResult } from "./bundle.js"
import { type BenchClient, type ClientId, clientIds, isProbe, makeClient } from "./clients.js"
import type { ColdResult, ColdVariant } from "./cold.js"
import { sequential, throughput, warmUp } from "./measure.js"
import { runWorker, script, startServer } from "./processes.js"
import { chart, goals, markdown, type Results } from "./report.js"
import type { RssResult } from "./rss.js"
import type { StubTask } from "./stub.js"

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1] ?? ""
}
const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1"
const rssCalls = Number(flag("rss-calls") ?? process.env.BENCH_RSS_CALLS ?? (quick ? 5_000 : 15_000))
if (!Number.isInteger(rssCalls) || rssCalls < 10) {
  throw new Error(`--rss-calls must be an integer ≥ 10, got ${rssCalls}`)
}

const settings = {
  warmup: quick ? 100 : 250,
  createRounds: quick ? 2 : 8,
  createBatch: quick ? 200 : 300,
  revokeRounds: quick ? 2 : 4,
  revokeBatch: quick ? 100 : 300,
  throughputRounds: quick ? 1 : 3,
  throughputMillis: quick ? 500 : 1_200,
  concurrency: 16,
  rssCalls,
  stubMillis: quick ? 150 : 300,
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

const coldRun = (variant: ColdVariant, apiUrl: string): Promise<ColdResult & { readonly wallMs: number }> =>
  new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, [script("cold"), variant, apiUrl], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("exit", (code) => {
      const wallMs = performance.now() - start
      if (code !== 0) return reject(new Error(`cold start ${variant} exited with ${code}`))
      resolve({ ...(JSON.parse(out) as ColdResult), wallMs })
    })
  })

const measure = async (): Promise<Results> => {
  const totalStart = performance.now()
  const loadStart = os.loadavg()[0]!
  const server = await startServer()
  log(`server on ${server.apiUrl}`)
  const serverCpu = async () => (await server.stats()).cpuMicros

  const clients: Array<BenchClient> = clientIds.map((id) => makeClient(id, server.apiUrl))
  await phase("warm-up", () => warmUp(clients, settings.warmup))
  const create = await phase(
    "sequential create",
    () => sequential(clients, "create", { rounds: settings.createRounds, batch: settings.createBatch })
  )
  const products = clients.filter((c) => !isProbe(c.id))
  const revoke = await phase(
    "sequential revoke",
    () =>
      sequential(products.filter((c) => !c.id.startsWith("floor")), "revoke", {
        rounds: settings.revokeRounds,
        batch: settings.revokeBatch
      })
  )
  const tp = await phase("throughput c16", () =>
    throughput(products, {
      rounds: settings.throughputRounds,
      millis: settings.throughputMillis,
      concurrency: settings.concurrency,
      serverCpu
    }))
  await Promise.all(clients.map((c) => c.close()))

  const rssIds =
    (flag("rss-clients") ?? process.env.BENCH_RSS_CLIENTS ?? "raw-undici,raw-fetch,clerk-backend,sdk-fetch,sdk-undici")
      .split(",")
      .map((id) => {
        if (!(clientIds as ReadonlyArray<string>).includes(id)) throw new Error(`unknown client ${id}`)
        return id as ClientId
      })
  const rss = await phase("memory", async () => {
    const out: Array<RssResult> = []
    for (const id of rssIds) {
      out.push(
        await runWorker<RssResult>("rss", [id, server.apiUrl, `${rssCalls}`, `${settings.concurrency}`], [
          "--expose-gc"
        ])
      )
      log(`  memory ${id}: ${out.at(-1)!.seconds.toFixed(1)} s`)
    }
    return out
  })

  const stub = await phase("stubbed network", () => runWorker<Array<StubTask>>("stub", [`${settings.stubMillis}`]))

  const coldVariants: ReadonlyArray<ColdVariant> = [
    "node",
    "raw-undici",
    "raw-fetch",
    "clerk-backend",
    "sdk-fetch",
    "sdk-undici"
  ]
  const cold = await phase("cold start", async () => {
    const out: Partial<Record<ColdVariant, Array<ColdResult & { readonly wallMs: number }>>> = {}
    for (let run = 0; run < settings.coldRuns; run++) {
      for (const variant of coldVariants) {
        ;(out[variant] ??= []).push(await coldRun(variant, server.apiUrl))
      }
    }
    return out
  })

  const bundles = await phase("bundle size", async () => {
    const out: Partial<Record<BundleEntry, BundleResult>> = {}
    for (const entry of bundleEntries) out[entry] = await bundle(entry)
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
        undici: versionOf("undici"),
        "@clerk/backend": versionOf("@clerk/backend"),
        "node's bundled undici (fetch)": process.versions.undici ?? "?",
        tinybench: versionOf("tinybench"),
        esbuild: versionOf("esbuild")
      },
      settings,
      seconds,
      load: `${loadStart.toFixed(2)} / ${os.loadavg()[0]!.toFixed(2)}`
    },
    create,
    revoke,
    throughput: tp,
    rss,
    stub,
    cold,
    bundles,
    serverNotFound: serverStats.notFound
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
writeFileSync(`${outDir}latency-ratios.svg`, chart(results.create.filter((row) => !isProbe(row.id))))
writeFileSync(`${outDir}RESULTS.md`, markdown(results, goalRows, analysis(results)))

const summary = [
  "",
  "Goals:",
  ...goalRows.map((g) =>
    `  ${g.met ? "MET " : "MISS"} ${g.goal}: ${g.measured} (target ${g.target})${g.note ? `; ${g.note}` : ""}`
  ),
  "",
  "Sequential create (p50 µs / CPU µs per call):",
  ...results.create.map((row) =>
    `  ${row.id.padEnd(18)} ${row.p50.toFixed(0).padStart(6)} ${row.cpuPerCall.toFixed(0).padStart(6)}`
  ),
  "Throughput c16 (req/s):",
  ...results.throughput.map((row) => `  ${row.id.padEnd(18)} ${row.median.toFixed(0).padStart(6)}`),
  "",
  `Wrote ${outDir}RESULTS.md and latency-ratios.svg; the run took ${(results.env.seconds["total"] ?? 0).toFixed(0)} s.`
]
process.stdout.write(`${summary.join("\n")}\n`)
