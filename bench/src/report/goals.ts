/**
 * The goals' verdicts, read on the transport `recommended` (transport.ts) names.
 */
import { type ClientId, idOf, labelOf, specOf } from "../clients.js"
import { recommendedPrograms } from "../cold.js"
import type { SequentialResult } from "../measure.js"
import { recommended, transportLabels } from "../transport.js"
import {
  byId,
  coldMedians,
  kb,
  mb,
  ratioWithError,
  roundsStdErr,
  secondHalfGrowth,
  showDiff,
  showRatio,
  signed,
  signedKb,
  stubDiff,
  stubRow,
  us,
  x
} from "./format.js"
import type { Goal, Results } from "./results.js"

export const memoryLimits = { heapMiB: 1, rssMiB: 5, calls: 100_000 } as const

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
