/**
 * RESULTS.md and the SVG chart, from the numbers of one run.
 */
import type { BundleEntry, BundleResult } from "./bundle.js"
import { type ClientId, labels, transports } from "./clients.js"
import type { ColdResult, ColdVariant } from "./cold.js"
import type { SequentialResult, ThroughputResult } from "./measure.js"
import type { RssResult } from "./rss.js"
import type { StubTask } from "./stub.js"

interface Environment {
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly versions: Readonly<Record<string, string>>
  readonly settings: Readonly<Record<string, string | number>>
  readonly seconds: Readonly<Record<string, number>>
  readonly load: string
}

export interface Results {
  readonly env: Environment
  readonly create: ReadonlyArray<SequentialResult>
  readonly revoke: ReadonlyArray<SequentialResult>
  readonly throughput: ReadonlyArray<ThroughputResult>
  readonly rss: ReadonlyArray<RssResult>
  readonly stub: ReadonlyArray<StubTask>
  readonly cold: Readonly<Partial<Record<ColdVariant, ReadonlyArray<ColdResult & { readonly wallMs: number }>>>>
  readonly bundles: Readonly<Partial<Record<BundleEntry, BundleResult>>>
  readonly serverNotFound: number
}

export interface Goal {
  readonly goal: string
  readonly target: string
  readonly measured: string
  readonly met: boolean
  readonly note: string
}

const us = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : "–")
const x = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–")
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
const signedKb = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024).toFixed(1)} KB`
const mb = (value: number): string => value.toFixed(1)
const rawOf = (id: ClientId): ClientId => (transports[id] === "undici" ? "raw-undici" : "raw-fetch")
const medianOf = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

const byId = <A extends { readonly id: ClientId }>(rows: ReadonlyArray<A>, id: ClientId): A | undefined =>
  rows.find((row) => row.id === id)

/** RSS change from the middle checkpoint to the last: a leak keeps growing, a warm-up plateau does not. */
const secondHalfGrowth = (row: RssResult): number =>
  row.rssCheckpoints.length < 2
    ? Number.NaN
    : row.rssCheckpoints[row.rssCheckpoints.length - 1]! -
      row.rssCheckpoints[Math.floor(row.rssCheckpoints.length / 2) - 1]!

const stubMean = (stub: ReadonlyArray<StubTask>, name: string): number =>
  stub.find((task) => task.name === name)?.mean ?? Number.NaN

export const goals = (r: Results): Array<Goal> => {
  const clerkSeq = byId(r.create, "clerk-backend")
  const sdkSeq = byId(r.create, "sdk-undici")
  const rawSeq = byId(r.create, "raw-undici")
  const clerkTp = byId(r.throughput, "clerk-backend")
  const sdkTp = byId(r.throughput, "sdk-undici")
  const rawTp = byId(r.throughput, "raw-undici")
  const out: Array<Goal> = []
  if (clerkSeq && sdkSeq) {
    const ratio = sdkSeq.p50 / clerkSeq.p50
    out.push({
      goal: "p50 latency, SDK over UndiciHttpClient vs @clerk/backend",
      target: "≤ 0.80×",
      measured: `${x(ratio)} (${us(sdkSeq.p50)} vs ${us(clerkSeq.p50)} µs)`,
      met: ratio <= 0.8,
      note: ratio <= 0.8 ? "" : `misses by ${((ratio / 0.8 - 1) * 100).toFixed(0)} %`
    })
  }
  if (clerkTp && sdkTp) {
    const ratio = sdkTp.median / clerkTp.median
    out.push({
      goal: "req/s at concurrency 16, SDK over UndiciHttpClient vs @clerk/backend",
      target: "≥ 1.25×",
      measured: `${x(ratio)} (${us(sdkTp.median)} vs ${us(clerkTp.median)} req/s)`,
      met: ratio >= 1.25,
      note: ratio >= 1.25 ? "" : `misses by ${((1 - ratio / 1.25) * 100).toFixed(0)} %`
    })
  }
  if (sdkSeq && rawSeq) {
    const over = sdkSeq.cpuPerCall - rawSeq.cpuPerCall
    const overTp = sdkTp && rawTp ? sdkTp.cpuPerCall - rawTp.cpuPerCall : Number.NaN
    const stubbed = stubMean(r.stub, "SDK create, default")
    out.push({
      goal: "SDK CPU per call over its own transport (SDK + undici − raw undici)",
      target: "≤ 120 µs",
      measured: `${us(over)} µs sequential, ${us(overTp)} µs at c16; ${us(stubbed)} µs with the network stubbed`,
      met: over <= 120,
      note: over <= 120 ? "" : `misses by ${us(over - 120)} µs`
    })
  }
  const sdkBundle = r.bundles.sdk
  const floorBundle = r.bundles.floor
  if (sdkBundle && floorBundle) {
    const marginal = sdkBundle.gzipped - floorBundle.gzipped
    out.push({
      goal: "marginal bundle over the Effect HTTP floor (gzip)",
      target: "≤ 5 KB",
      measured: `${signedKb(marginal)} (${kb(sdkBundle.gzipped)} vs ${kb(floorBundle.gzipped)})`,
      met: marginal <= 5 * 1024,
      note: marginal <= 5 * 1024 ? "" : `misses by ${kb(marginal - 5 * 1024)}`
    })
  }
  const sdkRss = r.rss.find((row) => row.id === "sdk-undici")
  if (sdkRss) {
    const heap = sdkRss.heapEnd - sdkRss.heapStart
    const secondHalf = secondHalfGrowth(sdkRss)
    const flat = heap <= 1 && secondHalf <= 5
    out.push({
      goal: `RSS flat over ${sdkRss.calls.toLocaleString("en")} calls (SDK over UndiciHttpClient)`,
      target: "heap after GC +≤ 1 MiB; RSS +≤ 5 MiB over the second half of the calls",
      measured: `heap ${mb(sdkRss.heapStart)} → ${mb(sdkRss.heapEnd)} MiB; RSS ${mb(sdkRss.rssStart)} → ${
        mb(sdkRss.rssEnd)
      } MiB, ${secondHalf >= 0 ? "+" : ""}${mb(secondHalf)} MiB over the second half`,
      met: flat,
      note: flat ? "RSS rises to a plateau in the first half (V8 heap and allocator caches), then stays" : "grows"
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
  const rows = create.map((row) => ({ label: labels[row.id], p50: row.p50 / clerk.p50, p99: row.p99 / clerk.p99 }))
  const max = Math.max(1.2, ...rows.flatMap((row) => [row.p50, row.p99])) * 1.1
  const left = 300
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
<text x="${left + 110}" y="37" fill="#c0392b">dashed: goal 0.80× (p50)</text>
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

const latencyTable = (rows: ReadonlyArray<SequentialResult>): string => {
  const clerk = byId(rows, "clerk-backend")
  return table(
    [
      "client",
      "p50 µs",
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
      const raw = byId(rows, rawOf(row.id))
      return [
        labels[row.id],
        us(row.p50),
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
}

const throughputTable = (rows: ReadonlyArray<ThroughputResult>): string => {
  const clerk = byId(rows, "clerk-backend")
  return table(
    ["client", "req/s (median)", "rounds", "× clerk", "× raw", "client CPU µs/call", "server load"],
    rows.map((row) => {
      const raw = byId(rows, rawOf(row.id))
      return [
        labels[row.id],
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

const rssTable = (rows: ReadonlyArray<RssResult>): string => {
  const clerk = rows.find((row) => row.id === "clerk-backend")
  return table(
    [
      "client",
      "calls",
      "s",
      "RSS start MiB",
      "RSS end MiB (after GC)",
      "growth MiB",
      "second half MiB",
      "heap start → end MiB",
      "checkpoints MiB",
      "end × clerk",
      "end × raw"
    ],
    rows.map((row) => {
      const raw = rows.find((other) => other.id === rawOf(row.id))
      return [
        labels[row.id],
        row.calls.toLocaleString("en"),
        row.seconds.toFixed(1),
        mb(row.rssStart),
        mb(row.rssEnd),
        (row.rssEnd - row.rssStart).toFixed(1),
        secondHalfGrowth(row).toFixed(1),
        `${mb(row.heapStart)} → ${mb(row.heapEnd)}`,
        row.rssCheckpoints.map((v) => v.toFixed(0)).join(" "),
        clerk ? x(row.rssEnd / clerk.rssEnd) : "–",
        raw ? x(row.rssEnd / raw.rssEnd) : "–"
      ]
    })
  )
}

const coldLabels: Record<ColdVariant, string> = {
  node: "empty node process",
  "raw-undici": "raw undici `request()`",
  "raw-fetch": "raw `fetch`",
  "clerk-backend": "@clerk/backend",
  "sdk-fetch": "SDK + FetchHttpClient (README imports: package indexes)",
  "sdk-undici": "SDK + UndiciHttpClient (deep imports)"
}

const coldTable = (cold: Results["cold"]): string => {
  const medians = (variant: ColdVariant) => {
    const runs = cold[variant] ?? []
    return {
      imported: medianOf(runs.map((run) => run.importedMs)),
      called: medianOf(runs.map((run) => run.calledMs)),
      wall: medianOf(runs.map((run) => run.wallMs)),
      runs: runs.length
    }
  }
  const clerk = medians("clerk-backend")
  return table(
    [
      "program",
      "runs",
      "imports done ms",
      "first call done ms",
      "process wall ms",
      "wall × clerk",
      "wall × raw transport"
    ],
    (Object.keys(coldLabels) as Array<ColdVariant>).filter((v) => cold[v] !== undefined).map((variant) => {
      const m = medians(variant)
      const raw = medians(variant === "sdk-undici" ? "raw-undici" : "raw-fetch")
      return [
        coldLabels[variant],
        `${m.runs}`,
        m.imported.toFixed(0),
        m.called.toFixed(0),
        m.wall.toFixed(0),
        x(m.wall / clerk.wall),
        x(m.wall / raw.wall)
      ]
    })
  )
}

const bundleLabels: Record<BundleEntry, string> = {
  sdk: "SDK create, deep imports, FetchHttpClient",
  "sdk-index": "SDK create, package-index imports, FetchHttpClient",
  "sdk-undici": "SDK create, deep imports, UndiciHttpClient (undici external)",
  floor: "Effect HTTP floor (HttpClient + Schema), FetchHttpClient",
  clerk: "@clerk/backend create"
}

const bundleTable = (bundles: Results["bundles"]): string => {
  const floor = bundles.floor
  const clerk = bundles.clerk
  return table(
    ["program", "minified", "gzip", "gzip − floor", "gzip × @clerk/backend"],
    (Object.keys(bundleLabels) as Array<BundleEntry>).filter((e) => bundles[e] !== undefined).map((entry) => {
      const b = bundles[entry]!
      return [
        bundleLabels[entry],
        kb(b.minified),
        kb(b.gzipped),
        floor ? signedKb(b.gzipped - floor.gzipped) : "–",
        clerk ? x(b.gzipped / clerk.gzipped) : "–"
      ]
    })
  )
}

const marginalTable = (bundles: Results["bundles"]): string => {
  const sdk = bundles.sdk
  const floor = bundles.floor
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
    table(["package (minified, before gzip)", "SDK", "floor", "SDK − floor"], packageRows),
    "",
    "The 15 modules that add most to the SDK bundle over the floor (minified bytes, before gzip):",
    "",
    table(["module", "added"], moduleRows)
  ].join("\n")
}

const stubTable = (stub: ReadonlyArray<StubTask>): string => {
  const harness = stubMean(stub, "harness: runPromise(Effect.void)")
  return table(
    ["what", "mean µs", "pass spread µs", "p50 µs", "p99 µs", "mean − harness µs"],
    stub.map((task) => [
      task.name,
      task.mean.toFixed(1),
      task.spread.toFixed(1),
      task.p50.toFixed(1),
      task.p99.toFixed(1),
      task.name.startsWith("build request") || task.name.startsWith("harness")
        ? "–"
        : (task.mean - harness).toFixed(1)
    ])
  )
}

export const markdown = (r: Results, goalRows: ReadonlyArray<Goal>, analysis: string): string => {
  const env = r.env
  return `# Benchmarks: @effect-clerk/client vs @clerk/backend and the raw transports

Generated by \`pnpm bench\` (bench/src/main.ts) on ${env.date}. Every number below comes from that one run;
rerun to refresh. Only 127.0.0.1 is called: a node:http keep-alive server in a child process answers
\`POST /v1/actor_tokens\` and \`POST /v1/actor_tokens/:id/revoke\` with JSON encoded by
\`@effect-clerk/schema\`'s \`ActorToken\` schema, so the client's CPU (\`process.cpuUsage()\`) is measured alone.

- Machine: ${env.cpu}, ${env.cores} cores, Node ${env.node}.
- Versions: ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.
- Settings: ${Object.entries(env.settings).map(([k, v]) => `${k} = ${v}`).join(", ")}.
- Load average (1 min) at start and end: ${env.load} — other work on the machine inflates absolute numbers; the
  interleaved ratios are more robust than the µs.
- Phase times (s): ${Object.entries(env.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}.
- Server answered ${r.serverNotFound} unexpected routes (must be 0).

"× clerk" is the ratio to @clerk/backend, "× raw" the ratio to the raw transport underneath the row (raw
undici \`request()\` for undici rows, raw \`fetch\` for fetch rows, @clerk/backend included). Latency and CPU:
lower is better; req/s: higher is better. "SDK" is \`ActorTokens.create\` with the default options
(\`maxRetries\` 2, 10 s timeout, the platform's \`http.client\` span on) through a \`ManagedRuntime\`;
"no http.client span" adds \`transformClient: (c) => HttpClient.withTracerDisabledWhen(c, () => true)\`.
The "Effect HTTP floor" is the same POST written directly with \`HttpClient\` + \`Schema\` (bench/src/floor.ts).

## Goals

${
    table(
      ["goal", "target", "measured", "met", "note"],
      goalRows.map((g) => [g.goal, g.target, g.measured, g.met ? "yes" : "**no**", g.note])
    )
  }

## Sequential latency and client CPU — create

![p50 and p99 latency ratios to @clerk/backend](latency-ratios.svg)

${latencyTable(r.create)}

## Sequential latency and client CPU — revoke

${latencyTable(r.revoke)}

## Throughput at concurrency 16 — create

"server load" is the share of one core the loopback server used while the row ran; near 100 % the row is bounded
by the server, not the client.

${throughputTable(r.throughput)}

## Memory over many calls — create at concurrency 16, one fresh process per client

RSS after a warm-up of 1,000 calls and a GC, at each tenth of the calls (no forced GC), and at the end after a GC.
"second half" is the last checkpoint minus the middle one: a leak keeps growing there, a warm-up plateau does not.

${rssTable(r.rss)}

## SDK CPU per call with the network removed

A stub \`HttpClient\` (built with \`HttpClient.make\`) answers with a canned \`HttpClientResponse\`. tinybench runs
each row in iterations of 25 calls and records their process CPU time per call; the table keeps the lowest mean of
three passes, and "pass spread" (highest − lowest mean) is that row's noise: a difference between two rows smaller
than their spreads is not a finding. Components are written as the client writes them; whole calls vary one option.

${stubTable(r.stub)}

## Cold start: a fresh node process imports the built entry and makes one create call

Median of the runs. "imports done" and "first call done" are milliseconds since the process started
(\`performance.now()\`); "process wall" is spawn to exit as seen by the parent.

${coldTable(r.cold)}

## Bundle size: esbuild \`--bundle --minify\` (ESM, node20) + gzip -9 of a one-call create program

${bundleTable(r.bundles)}

${marginalTable(r.bundles)}

## Analysis

${analysis}
`
}
