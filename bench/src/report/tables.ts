/** The tables of RESULTS.md, one per phase. */
import { clerkOf, labelOf, rawOf } from "../clients.js"
import { type ColdMode, type Program, programLabels } from "../cold.js"
import type { SequentialResult, ThroughputResult } from "../measure.js"
import type { RssResult } from "../rss.js"
import type { StubTask } from "../stub.js"
import { byId, coldMedians, kb, mb, secondHalfGrowth, signed, signedKb, stubRow, table, us, x } from "./format.js"
import { memoryLimits } from "./goals.js"
import type { Results } from "./results.js"

/** `rows` of `all` (the phase's rows, where the reference rows are looked up). */
export const latencyTable = (
  all: ReadonlyArray<SequentialResult>,
  rows: ReadonlyArray<SequentialResult> = all
): string =>
  table(
    [
      "client",
      "p50 µs",
      "± (s.e.)",
      "p99 µs",
      "CPU µs/call",
      "± (s.e.)",
      "of which user",
      "p50 × clerk",
      "p99 × clerk",
      "CPU × clerk",
      "p50 × raw",
      "CPU × raw",
      "CPU − raw µs"
    ],
    rows.map((row) => {
      const raw = byId(all, rawOf(row.id))
      const clerk = byId(all, clerkOf(row.id))
      return [
        labelOf(row.id),
        us(row.p50),
        us(row.p50StdErr),
        us(row.p99),
        us(row.cpuPerCall),
        us(row.cpuStdErr),
        us(row.userPerCall),
        clerk ? x(row.p50 / clerk.p50) : "–",
        clerk ? x(row.p99 / clerk.p99) : "–",
        clerk ? x(row.cpuPerCall / clerk.cpuPerCall) : "–",
        raw ? x(row.p50 / raw.p50) : "–",
        raw ? x(row.cpuPerCall / raw.cpuPerCall) : "–",
        raw ? us(row.cpuPerCall - raw.cpuPerCall) : "–"
      ]
    })
  )

export const throughputTable = (rows: ReadonlyArray<ThroughputResult>): string => {
  const clerk = byId(rows, "clerk-backend")
  return table(
    ["client", "req/s (median)", "rounds", "× clerk", "× raw", "client CPU µs/call", "server load"],
    rows.map((row) => {
      const raw = byId(rows, rawOf(row.id))
      return [
        labelOf(row.id),
        us(row.median),
        row.rounds.map((v) => v.toFixed(0)).join(" / "),
        clerk ? x(row.median / clerk.median) : "–",
        raw ? x(row.median / raw.median) : "–",
        us(row.cpuPerCall),
        `${(row.serverLoad * 100).toFixed(0)} %`
      ]
    })
  )
}

export const rssTable = (rows: ReadonlyArray<RssResult>): string =>
  table(
    [
      "client",
      "calls",
      "s",
      "heap after GC: start → middle → end MiB",
      "heap second half MiB",
      "RSS after GC: start → middle → end MiB",
      "RSS second half MiB",
      "RSS peak MiB",
      "verdict",
      "RSS after GC at each tenth, MiB"
    ],
    rows.map((row) => {
      const middle = Math.floor(row.rssCheckpoints.length / 2) - 1
      const heap = secondHalfGrowth(row.heapCheckpoints)
      const rss = secondHalfGrowth(row.rssCheckpoints)
      return [
        labelOf(row.id),
        row.calls.toLocaleString("en"),
        row.seconds.toFixed(1),
        `${mb(row.heapStart)} → ${mb(row.heapCheckpoints[middle] ?? Number.NaN)} → ${
          mb(row.heapCheckpoints.at(-1) ?? Number.NaN)
        }`,
        signed(heap, 2),
        `${mb(row.rssStart)} → ${mb(row.rssCheckpoints[middle] ?? Number.NaN)} → ${
          mb(row.rssCheckpoints.at(-1) ?? Number.NaN)
        }`,
        signed(rss, 1),
        mb(row.rssPeak),
        heap <= memoryLimits.heapMiB && rss <= memoryLimits.rssMiB ? "flat" : "**grows**",
        row.rssCheckpoints.map((v) => v.toFixed(0)).join(" ")
      ]
    })
  )

export const coldTable = (r: Results): string => {
  const modes: ReadonlyArray<ColdMode> = ["unbundled", "bundled"]
  const rows: Array<Array<string>> = []
  for (const mode of modes) {
    const clerk = coldMedians(r, mode, "clerk")
    for (const program of Object.keys(programLabels) as Array<Program>) {
      const m = coldMedians(r, mode, program)
      if (m.runs === 0) continue
      const floorProgram = floorOf[program]
      const floor = floorProgram === undefined ? undefined : coldMedians(r, mode, floorProgram)
      rows.push([
        programLabels[program],
        mode,
        `${m.runs}`,
        m.imported.toFixed(0),
        `${m.called.toFixed(0)} (${m.calledMin.toFixed(0)}–${m.calledMax.toFixed(0)})`,
        m.wall.toFixed(0),
        floor && floor.runs > 0 ? x(m.called / floor.called) : "–",
        x(m.called / clerk.called)
      ])
    }
  }
  return table(
    [
      "program",
      "build",
      "runs",
      "imports done ms",
      "first call done ms (fastest–slowest)",
      "process wall ms",
      "call done × its floor program",
      "call done × clerk"
    ],
    rows
  )
}

/** The floor program each SDK program is measured against. */
const floorOf: Partial<Record<Program, Program>> = {
  "sdk-index": "floor-index",
  "sdk-deep": "floor-deep",
  "sdk-node-undici": "floor-node-undici"
}

const bundleLabels: Partial<Record<Program, string>> = {
  "sdk-index": "SDK, README program (package indexes, FetchHttpClient)",
  "floor-index": "Effect HTTP floor, same program (README imports of FetchHttpClient and Effect)",
  "sdk-deep": "SDK, README program, deep imports",
  "floor-deep": "Effect HTTP floor, deep imports",
  "sdk-node-undici": "SDK, README imports + NodeHttpClient.layerUndici (undici external)",
  "floor-node-undici": "Effect HTTP floor + NodeHttpClient.layerUndici (undici external)",
  clerk: "@clerk/backend create"
}

export const bundleTable = (bundles: Results["bundles"]): string => {
  const clerk = bundles.clerk
  return table(
    ["program", "minified", "gzip", "gzip − its floor", "gzip × @clerk/backend"],
    (Object.keys(bundleLabels) as Array<Program>).filter((p) => bundles[p] !== undefined).map((program) => {
      const b = bundles[program]!
      const floorProgram = floorOf[program]
      const floor = floorProgram === undefined ? undefined : bundles[floorProgram]
      return [
        bundleLabels[program]!,
        kb(b.minified),
        kb(b.gzipped),
        floor ? signedKb(b.gzipped - floor.gzipped) : "–",
        clerk ? x(b.gzipped / clerk.gzipped) : "–"
      ]
    })
  )
}

export const marginalTables = (bundles: Results["bundles"], sdkProgram: Program, floorProgram: Program): string => {
  const sdk = bundles[sdkProgram]
  const floor = bundles[floorProgram]
  if (!sdk || !floor) return ""
  const packages = [...new Set([...Object.keys(sdk.byPackage), ...Object.keys(floor.byPackage)])]
  const packageRows = packages
    .map((name) => [name, sdk.byPackage[name] ?? 0, floor.byPackage[name] ?? 0] as const)
    .sort((a, b) => (b[1] - b[2]) - (a[1] - a[2]))
    .map(([name, s, f]) => [name, kb(s), kb(f), signedKb(s - f)])
  const modules = [...new Set([...Object.keys(sdk.byModule), ...Object.keys(floor.byModule)])]
  const moduleRows = modules
    .map((name) => [name, (sdk.byModule[name] ?? 0) - (floor.byModule[name] ?? 0)] as const)
    .filter(([, diff]) => diff > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([name, diff]) => [`\`${name}\``, signedKb(diff)])
  return [
    `${bundleLabels[sdkProgram]} over ${bundleLabels[floorProgram]}:`,
    "",
    table(["package (minified, before gzip)", "SDK", "floor", "SDK − floor"], packageRows),
    "",
    "The 15 modules that add most to the SDK bundle over the floor (minified bytes, before gzip):",
    "",
    table(["module", "added"], moduleRows)
  ].join("\n")
}

const stubGroups: ReadonlyArray<readonly [StubTask["group"], string]> = [
  ["component", "Components, written as the client writes them"],
  ["canned", "Whole calls, canned `HttpClientResponse` (`Content-Length`, one chunk already there)"],
  ["web", "Whole calls, web `Response` through `HttpClientResponse.fromWeb` (the `FetchHttpClient` path)"],
  [
    "mock",
    "Whole calls, undici `MockAgent` under `NodeHttpClient.makeUndici` (undici's request and body path, no socket)"
  ]
]

export const stubTable = (stub: ReadonlyArray<StubTask>): string => {
  const harness = stubRow(stub, "harness")?.mean ?? Number.NaN
  return stubGroups.map(([group, title]) =>
    `${title}:\n\n${
      table(
        ["what", "mean µs", "noise µs", "p50 µs", "p99 µs", "mean − harness µs"],
        stub.filter((task) => task.group === group).map((task) => [
          task.name,
          task.mean.toFixed(1),
          task.spread.toFixed(1),
          task.p50.toFixed(1),
          task.p99.toFixed(1),
          task.sync || task.key === "build" || task.key === "harness" ? "–" : (task.mean - harness).toFixed(1)
        ])
      )
    }`
  ).join("\n\n")
}
