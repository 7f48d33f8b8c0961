/**
 * RESULTS.md and the SVG chart, from the numbers of one run. The goals are the middle column of issue 13's table,
 * read on the transport `recommended` (transport.ts) names.
 */
import type { BundleResult } from "./bundle.js"
import { clerkOf, type ClientId, idOf, labelOf, rawOf, specOf } from "./clients.js"
import { type ColdMode, type ColdRun, type Program, programLabels, recommendedPrograms } from "./cold.js"
import type { SequentialResult, ThroughputResult } from "./measure.js"
import type { RssResult } from "./rss.js"
import type { ServerStats } from "./server.js"
import type { StubTask } from "./stub.js"
import { recommended, transportLabels, transportSources } from "./transport.js"

interface Environment {
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly versions: Readonly<Record<string, string>>
  readonly settings: Readonly<Record<string, string | number>>
  readonly seconds: Readonly<Record<string, number>>
  readonly load: string
  /** The recommended transport when the run was made. */
  readonly recommended: string
}

export interface Results {
  readonly env: Environment
  readonly create: ReadonlyArray<SequentialResult>
  readonly revoke: ReadonlyArray<SequentialResult>
  readonly throughput: ReadonlyArray<ThroughputResult>
  readonly rss: ReadonlyArray<RssResult>
  readonly stub: ReadonlyArray<StubTask>
  readonly cold: Readonly<Partial<Record<ColdMode, Readonly<Partial<Record<Program, ReadonlyArray<ColdRun>>>>>>>
  readonly bundles: Readonly<Partial<Record<Program, BundleResult>>>
  readonly server: ServerStats
}

export interface Goal {
  readonly goal: string
  readonly target: string
  readonly measured: string
  /** `undefined`: not measured in this run. */
  readonly met: boolean | undefined
  readonly note: string
}

// ---------------------------------------------------------------------------------------------------------------
// numbers shared with analysis.ts
// ---------------------------------------------------------------------------------------------------------------

export const us = (value: number | undefined): string =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(0) : "–"
export const x = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–")
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
export const signedKb = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024).toFixed(1)} KB`
const mb = (value: number): string => value.toFixed(1)
const signed = (value: number, digits = 0): string =>
  Number.isFinite(value) ? `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}` : "–"
const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}

export const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

export const byId = <A extends { readonly id: ClientId }>(rows: ReadonlyArray<A>, id: ClientId): A | undefined =>
  rows.find((row) => row.id === id)

export const stubRow = (stub: ReadonlyArray<StubTask>, key: string): StubTask | undefined =>
  stub.find((task) => task.key === key)

/** A difference of two stubbed rows, with the sum of their noises as its noise. */
export interface StubDiff {
  readonly value: number
  readonly noise: number
}

export const stubDiff = (stub: ReadonlyArray<StubTask>, a: string, b: string): StubDiff => {
  const ra = stubRow(stub, a)
  const rb = stubRow(stub, b)
  return ra && rb
    ? { value: ra.mean - rb.mean, noise: ra.spread + rb.spread }
    : { value: Number.NaN, noise: Number.NaN }
}

export const showDiff = (d: StubDiff): string =>
  Number.isFinite(d.value)
    ? `${signed(d.value)} ± ${d.noise.toFixed(0)}${Math.abs(d.value) <= d.noise ? " (within noise)" : ""}`
    : "–"

/** `a / b` of two values with standard errors, and the standard error of the ratio. */
const ratioWithError = (a: number, seA: number, b: number, seB: number) => {
  const ratio = a / b
  return { ratio, se: ratio * Math.sqrt((seA / a) ** 2 + (seB / b) ** 2) }
}

const showRatio = (r: { readonly ratio: number; readonly se: number }): string =>
  Number.isFinite(r.se) ? `${x(r.ratio)} ± ${r.se.toFixed(2)}` : x(r.ratio)

/** The standard error of the median of throughput rounds, approximated by that of their mean. */
const roundsStdErr = (rounds: ReadonlyArray<number>): number => {
  if (rounds.length < 2) return Number.NaN
  const mean = rounds.reduce((a, b) => a + b, 0) / rounds.length
  return Math.sqrt(rounds.reduce((a, b) => a + (b - mean) ** 2, 0) / (rounds.length - 1) / rounds.length)
}

/** Least-squares growth (MiB) over the second half of the checkpoints: from the middle one to the last. */
const secondHalfGrowth = (checkpoints: ReadonlyArray<number>): number => {
  const half = checkpoints.slice(Math.floor(checkpoints.length / 2) - 1)
  if (half.length < 2) return Number.NaN
  const n = half.length
  const meanX = (n - 1) / 2
  const meanY = half.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  half.forEach((y, i) => {
    num += (i - meanX) * (y - meanY)
    den += (i - meanX) ** 2
  })
  return (num / den) * (n - 1)
}

/** The memory verdict's thresholds: growth over the second half of the calls, after a full GC. */
const memoryLimits = { heapMiB: 1, rssMiB: 5, calls: 100_000 } as const

export const coldMedians = (r: Results, mode: ColdMode, program: Program) => {
  const runs = r.cold[mode]?.[program] ?? []
  return {
    imported: median(runs.map((run) => run.importedMs)),
    called: median(runs.map((run) => run.calledMs)),
    calledMin: Math.min(...runs.map((run) => run.calledMs)),
    calledMax: Math.max(...runs.map((run) => run.calledMs)),
    wall: median(runs.map((run) => run.wallMs)),
    runs: runs.length
  }
}

const missing = (goal: string, target: string, what: string): Goal => ({
  goal,
  target,
  measured: "–",
  met: undefined,
  note: `not measured in this run (${what})`
})

const misses = (met: boolean, by: string): string => (met ? "" : `misses by ${by}`)

export const goals = (r: Results): Array<Goal> => {
  const out: Array<Goal> = []
  const rec = transportLabels[recommended]
  const sdkRec = idOf("sdk", recommended)

  // 1. SDK CPU per create, stubbed
  {
    const goal = "SDK CPU per create, network stubbed (canned response)"
    const sdk = stubRow(r.stub, "sdk")
    const floor = stubRow(r.stub, "floor")
    if (sdk && floor) {
      const met = sdk.mean <= 110
      out.push({
        goal,
        target: "≤ 110 µs",
        measured: `${us(sdk.mean)} ± ${us(sdk.spread)} µs (floor ${us(floor.mean)} µs: floor ${
          signed(sdk.mean - floor.mean)
        } µs)`,
        met,
        note: [misses(met, `${us(sdk.mean - 110)} µs`), `long-range goal floor + 20 µs`].filter(Boolean).join("; ")
      })
    } else out.push(missing(goal, "≤ 110 µs", "stubbed phase"))
  }

  // 2. same without Content-Length
  {
    const goal = "same, answer without `Content-Length`: chunked / gzip-encoded (FetchHttpClient path)"
    const chunked = stubDiff(r.stub, "sdk-web-stream", "floor-web-stream")
    const gzip = stubDiff(r.stub, "sdk-web-gzip", "floor-web-gzip")
    const sdkChunked = stubRow(r.stub, "sdk-web-stream")
    const sdkGzip = stubRow(r.stub, "sdk-web-gzip")
    if (sdkChunked && sdkGzip && Number.isFinite(chunked.value) && Number.isFinite(gzip.value)) {
      const worst = Math.max(chunked.value, gzip.value)
      const met = worst <= 60
      out.push({
        goal,
        target: "≤ floor + 60 µs",
        measured: `chunked ${us(sdkChunked.mean)} µs = floor ${showDiff(chunked)}; gzip ${
          us(sdkGzip.mean)
        } µs = floor ${showDiff(gzip)}`,
        met,
        note: [
          misses(met, `${us(worst - 60)} µs`),
          `with Content-Length: floor ${showDiff(stubDiff(r.stub, "sdk-web-length", "floor-web-length"))} µs`
        ].filter(Boolean).join("; ")
      })
    } else out.push(missing(goal, "≤ floor + 60 µs", "stubbed phase"))
  }

  // 3. p50 vs @clerk/backend, recommended transport
  const p50Goal = (
    goal: string,
    rows: ReadonlyArray<SequentialResult>,
    id: ClientId,
    clerkId: ClientId,
    target: number,
    note: string
  ): Goal => {
    const sdk = byId(rows, id)
    const clerk = byId(rows, clerkId)
    if (!sdk || !clerk) return missing(goal, `≤ ${target.toFixed(1)}×`, `no ${id} row`)
    const r = ratioWithError(sdk.p50, sdk.p50StdErr, clerk.p50, clerk.p50StdErr)
    const met = r.ratio <= target
    return {
      goal,
      target: `≤ ${target.toFixed(1)}×`,
      measured: `${showRatio(r)} (${us(sdk.p50)} vs ${us(clerk.p50)} µs)`,
      met,
      note: [misses(met, `${((r.ratio / target - 1) * 100).toFixed(0)} %`), note].filter(Boolean).join("; ")
    }
  }
  out.push(
    p50Goal(`p50 latency vs @clerk/backend, SDK over ${rec} (recommended)`, r.create, sdkRec, "clerk-backend", 1, "")
  )

  // 4. req/s
  {
    const goal = `req/s at concurrency 16 vs @clerk/backend, SDK over ${rec} (recommended)`
    const sdk = byId(r.throughput, sdkRec)
    const clerk = byId(r.throughput, "clerk-backend")
    if (sdk && clerk) {
      const ratio = ratioWithError(sdk.median, roundsStdErr(sdk.rounds), clerk.median, roundsStdErr(clerk.rounds))
      const met = ratio.ratio >= 1.1
      out.push({
        goal,
        target: "≥ 1.1×",
        measured: `${showRatio(ratio)} (${us(sdk.median)} vs ${us(clerk.median)} req/s)`,
        met,
        note: misses(met, `${((1 - ratio.ratio / 1.1) * 100).toFixed(0)} %`)
      })
    } else out.push(missing(goal, "≥ 1.1×", `no ${sdkRec} throughput row`))
  }

  // 5. revoke
  out.push(
    p50Goal(`revoke p50 vs @clerk/backend, SDK over ${rec} (recommended)`, r.revoke, sdkRec, "clerk-backend", 1, "")
  )

  // 6. SDK over FetchHttpClient
  {
    const gzip = byId(r.create, "sdk-fetch-gzip")
    const clerkGzip = byId(r.create, "clerk-backend-gzip")
    out.push(
      p50Goal(
        "SDK over `FetchHttpClient` (the README's default) vs @clerk/backend, create p50",
        r.create,
        "sdk-fetch",
        "clerk-backend",
        1.3,
        gzip && clerkGzip ? `both answered gzip-encoded: ${x(gzip.p50 / clerkGzip.p50)}` : ""
      )
    )
  }

  // 7. cold start
  {
    const goal = "cold start, first call done, unbundled, README program vs the same program on the Effect HTTP floor"
    const sdk = coldMedians(r, "unbundled", "sdk-index")
    const floor = coldMedians(r, "unbundled", "floor-index")
    if (sdk.runs > 0 && floor.runs > 0) {
      const ratio = sdk.called / floor.called
      const met = ratio <= 1.1
      const bundledSdk = coldMedians(r, "bundled", "sdk-index")
      const bundledFloor = coldMedians(r, "bundled", "floor-index")
      const recSdk = coldMedians(r, "unbundled", recommendedPrograms.sdk)
      const recFloor = coldMedians(r, "unbundled", recommendedPrograms.floor)
      const clerk = coldMedians(r, "unbundled", "clerk")
      out.push({
        goal,
        target: "≤ 1.1×",
        measured: `${x(ratio)} (${us(sdk.called)} vs ${us(floor.called)} ms)`,
        met,
        note: [
          misses(met, `${((ratio / 1.1 - 1) * 100).toFixed(0)} %`),
          `bundled ${x(bundledSdk.called / bundledFloor.called)}`,
          recommended === "fetch" ? "" : `over ${rec} ${x(recSdk.called / recFloor.called)}`,
          `vs @clerk/backend ${x(sdk.called / clerk.called)}`
        ].filter(Boolean).join("; ")
      })
    } else out.push(missing(goal, "≤ 1.1×", "cold-start phase"))
  }

  // 8. bundle
  {
    const goal = "marginal bundle over the Effect HTTP floor, gzip (README one-call program)"
    const index = r.bundles["sdk-index"]
    const floorIndex = r.bundles["floor-index"]
    const deep = r.bundles["sdk-deep"]
    const floorDeep = r.bundles["floor-deep"]
    if (index && floorIndex && deep && floorDeep) {
      const a = index.gzipped - floorIndex.gzipped
      const b = deep.gzipped - floorDeep.gzipped
      const met = a <= 5 * 1024 && b <= 5 * 1024
      out.push({
        goal,
        target: "≤ +5 KB",
        measured: `package indexes ${signedKb(a)}; deep imports ${signedKb(b)}`,
        met,
        note: met ? "" : `misses by ${kb(Math.max(a, b) - 5 * 1024)}`
      })
    } else out.push(missing(goal, "≤ +5 KB", "bundle phase"))
  }

  // 9. memory
  // The SDK over the recommended transport, and any other SDK client run as long.
  const memoryRows = r.rss.filter((row) =>
    specOf(row.id).kind === "sdk" && (row.id === sdkRec || row.calls >= memoryLimits.calls)
  )
  if (memoryRows.length === 0) {
    out.push(missing("memory over 100,000 calls", "flat", "no SDK client in the memory phase"))
  }
  for (const row of memoryRows) {
    const heap = secondHalfGrowth(row.heapCheckpoints)
    const rss = secondHalfGrowth(row.rssCheckpoints)
    const flat = heap <= memoryLimits.heapMiB && rss <= memoryLimits.rssMiB
    const long = row.calls >= memoryLimits.calls
    out.push({
      goal: `memory over ${row.calls.toLocaleString("en")} calls (heap after GC, RSS second half), ${labelOf(row.id)}`,
      target: `flat: second half heap +≤ ${memoryLimits.heapMiB} MiB, RSS +≤ ${memoryLimits.rssMiB} MiB, ≥ ${
        memoryLimits.calls.toLocaleString("en")
      } calls`,
      measured: `heap ${signed(heap, 2)} MiB, RSS ${signed(rss, 1)} MiB over the second half (${
        mb(row.heapCheckpoints.at(-1) ?? Number.NaN)
      } MiB heap, ${mb(row.rssCheckpoints.at(-1) ?? Number.NaN)} MiB RSS at the end)`,
      met: flat && long,
      note: !long ? `only ${row.calls.toLocaleString("en")} calls in this run` : flat ? "flat" : "grows"
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// the chart
// ---------------------------------------------------------------------------------------------------------------

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "")

/** Horizontal bars: p50 and p99 latency of each client as a ratio to @clerk/backend's. */
export const chart = (create: ReadonlyArray<SequentialResult>): string => {
  const clerk = byId(create, "clerk-backend")
  if (clerk === undefined) return ""
  const rows = create.filter((row) => specOf(row.id).shape === "length").map((row) => ({
    label: labelOf(row.id),
    p50: row.p50 / clerk.p50,
    p99: row.p99 / clerk.p99
  }))
  const max = Math.max(1.2, ...rows.flatMap((row) => [row.p50, row.p99])) * 1.1
  const left = 320
  const width = 520
  const rowHeight = 34
  const top = 48
  const height = top + rows.length * rowHeight + 48
  const scale = (value: number): number => left + (value / max) * width
  const bars = rows.map((row, i) => {
    const y = top + i * rowHeight
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(scale(row.p50) - left).toFixed(1)}" height="12" fill="#3b6fb6"/>`,
      `<text x="${(scale(row.p50) + 4).toFixed(1)}" y="${y + 13}" class="v">${row.p50.toFixed(2)}</text>`,
      `<rect x="${left}" y="${y + 16}" width="${(scale(row.p99) - left).toFixed(1)}" height="12" fill="#9bb8e0"/>`,
      `<text x="${(scale(row.p99) + 4).toFixed(1)}" y="${y + 26}" class="v">${row.p99.toFixed(2)}</text>`
    ].join("\n")
  })
  const ticks = Array.from({ length: Math.floor(max / 0.25) + 1 }, (_, i) => i * 0.25).map((t) =>
    `<line x1="${scale(t).toFixed(1)}" y1="${top - 4}" x2="${scale(t).toFixed(1)}" y2="${
      height - 40
    }" stroke="#eee"/>` +
    `<text x="${scale(t).toFixed(1)}" y="${height - 26}" text-anchor="middle" class="v">${t.toFixed(2)}</text>`
  )
  const bottom = height - 40
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    left + width + 60
  }" height="${height}" font-family="sans-serif" font-size="12">
<style>.v { font-size: 10px; fill: #333 }</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="bold">Sequential create latency, ratio to @clerk/backend (lower is better)</text>
<rect x="${left}" y="28" width="10" height="10" fill="#3b6fb6"/><text x="${left + 14}" y="37">p50</text>
<rect x="${left + 50}" y="28" width="10" height="10" fill="#9bb8e0"/><text x="${left + 64}" y="37">p99</text>
<text x="${left + 110}" y="37" fill="#c0392b">dashed: long-range goal 0.80× (p50)</text>
${ticks.join("\n")}
${bars.join("\n")}
<line x1="${scale(1).toFixed(1)}" y1="${top - 4}" x2="${scale(1).toFixed(1)}" y2="${bottom}" stroke="#333"/>
<line x1="${scale(0.8).toFixed(1)}" y1="${top - 4}" x2="${
    scale(0.8).toFixed(1)
  }" y2="${bottom}" stroke="#c0392b" stroke-dasharray="4 3"/>
<text x="${left + width / 2}" y="${height - 8}" text-anchor="middle">× @clerk/backend</text>
</svg>
`
}

// ---------------------------------------------------------------------------------------------------------------
// RESULTS.md
// ---------------------------------------------------------------------------------------------------------------

/** `rows` of `all` (the phase's rows, where the reference rows are looked up). */
const latencyTable = (all: ReadonlyArray<SequentialResult>, rows: ReadonlyArray<SequentialResult> = all): string =>
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

const throughputTable = (rows: ReadonlyArray<ThroughputResult>): string => {
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

const rssTable = (rows: ReadonlyArray<RssResult>): string =>
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

const coldTable = (r: Results): string => {
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

const bundleTable = (bundles: Results["bundles"]): string => {
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

const marginalTables = (bundles: Results["bundles"], sdkProgram: Program, floorProgram: Program): string => {
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

const stubTable = (stub: ReadonlyArray<StubTask>): string => {
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

export const markdown = (r: Results, goalRows: ReadonlyArray<Goal>, analysis: string): string => {
  const env = r.env
  const rec = transportLabels[recommended]
  const shapeRows = (rows: ReadonlyArray<SequentialResult>) => rows.filter((row) => specOf(row.id).shape === "length")
  const otherShapes = (rows: ReadonlyArray<SequentialResult>) => rows.filter((row) => specOf(row.id).shape !== "length")
  return `# Benchmarks: @effect-clerk/client vs @clerk/backend and the raw transports

Generated by \`pnpm bench\` (bench/src/main.ts) on ${env.date}. Every number below comes from that one run;
rerun to refresh. Only 127.0.0.1 is called: node:http keep-alive servers in a child process answer
\`POST /v1/actor_tokens\` and \`POST /v1/actor_tokens/:id/revoke\` with JSON encoded by
\`@effect-clerk/schema\`'s \`ActorToken\` schema, so the client's CPU (\`process.cpuUsage()\`) is measured alone. One
port answers with \`Content-Length\`, one chunked, one gzip-encoded (chunked) when the request accepts gzip.

- Machine: ${env.cpu}, ${env.cores} cores, Node ${env.node}.
- Versions: ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.
- Settings: ${Object.entries(env.settings).map(([k, v]) => `${k} = ${v}`).join(", ")}.
- Recommended transport: ${transportSources[recommended]} (bench/src/transport.ts)${
    env.recommended !== recommended ? `; the run was made with ${env.recommended}` : ""
  }.
- Load average (1 min) at start and end: ${env.load} — other work on the machine inflates absolute numbers; the
  interleaved ratios are more robust than the µs.
- Phase times (s): ${Object.entries(env.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}.
- Server: ${r.server.notFound} unexpected routes (must be 0); ${r.server.gzipped} answers gzip-encoded; ${r.server.gzipRefused} requests on the gzip port that did not accept gzip (must be 0).

"× clerk" is the ratio to @clerk/backend, "× raw" the ratio to the raw transport underneath the row (raw
undici \`request()\` for the undici rows, raw \`fetch\` answered with the same shape for fetch rows, @clerk/backend
included). Latency and CPU: lower is better; req/s: higher is better. "SDK" is \`ActorTokens.create\` with the default
options through a \`ManagedRuntime\` (the SDK switches the platform's \`http.client\` span off for its requests and
opens its own per attempt); "tracer off" adds \`Layer.setTracerEnabled(false)\`: neither of the SDK's two spans.
"NodeHttpClient.layerUndici" is \`@effect/platform-node\`'s undici client (\`makeUndici\` over a new undici
\`Agent\`; the stubbed rows use \`makeUndici\` over a \`MockAgent\`). The "Effect HTTP floor" is the same POST
written directly with \`HttpClient\` + \`Schema\` (bench/src/floor.ts). "±" is a standard error over the rounds (p50,
CPU) or, in the stubbed rows, the gap between the two best passes.

## Goals

Issue 13's middle column, read on the SDK over ${rec} where a transport is named.

${
    table(
      ["goal", "target", "measured", "met", "note"],
      goalRows.map((g) => [
        g.goal,
        g.target,
        g.measured,
        g.met === undefined ? "–" : g.met ? "yes" : "**no**",
        g.note
      ])
    )
  }

## Sequential latency and client CPU — create

![p50 and p99 latency ratios to @clerk/backend](latency-ratios.svg)

${latencyTable(r.create, shapeRows(r.create))}

Answered chunked or gzip-encoded (no \`Content-Length\`); "× clerk" and "× raw" are to @clerk/backend and the raw
transport answered the same way:

${latencyTable(r.create, otherShapes(r.create))}

## Sequential latency and client CPU — revoke

${latencyTable(r.revoke)}

## Throughput at concurrency 16 — create

"server load" is the share of one core the loopback server used while the row ran; near 100 % the row is bounded
by the server, not the client.

${throughputTable(r.throughput)}

## Memory over many calls — create at concurrency 16, one fresh process per client

After a warm-up of 1,000 calls, at each tenth of the calls: a full GC, then the heap used and the RSS. "second half"
is the least-squares growth from the middle checkpoint to the last: a leak keeps growing there, a warm-up plateau
does not. Flat means heap +≤ ${memoryLimits.heapMiB} MiB and RSS +≤ ${memoryLimits.rssMiB} MiB over the second half.
"RSS peak" is the highest RSS seen before a checkpoint's GC.

${rssTable(r.rss)}

## CPU per call with the network removed

tinybench runs each row in iterations of 25 calls and records their process CPU time per call; the table keeps the
lowest mean of three passes (other work on the machine only adds time), and "noise" (the second-lowest mean minus the
lowest) is that row's noise: a difference between two rows smaller than the sum of their noises is not a finding.
"floor" rows are the Effect HTTP floor over the same stub.

${stubTable(r.stub)}

## Cold start: a fresh node process imports a program and makes one create call

Median of the runs, interleaved. "imports done" and "first call done" are milliseconds since the process started
(\`performance.now()\`); "process wall" is spawn to exit as seen by the parent. "unbundled" runs the tsc output
(packages resolved from node_modules), "bundled" the esbuild bundle of the next section. The programs are
bench/src/programs/*.ts.

${coldTable(r)}

## Bundle size: esbuild \`--bundle --minify\` (ESM, node20) + gzip -9 of a one-call create program

${bundleTable(r.bundles)}

${marginalTables(r.bundles, "sdk-index", "floor-index")}

${marginalTables(r.bundles, "sdk-deep", "floor-deep")}

## Analysis

${analysis}
`
}
