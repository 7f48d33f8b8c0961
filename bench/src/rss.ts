/**
 * Worker: one client, alone in a fresh process, makes `calls` creates with `concurrency` in flight and reports its
 * memory after a warm-up and at each tenth of the calls. At each point it reads the RSS as the run left it, then
 * forces a full GC and reads the heap and the RSS again: a leak shows as heap (and RSS) after GC that keeps growing
 * through the second half of the run; a warm-up rises in the first tenths and then stays.
 */
import { type ClientId, makeClient } from "./clients.js"
import type { Shape } from "./fixtures.js"

export interface RssResult {
  readonly id: ClientId
  readonly calls: number
  readonly seconds: number
  /** RSS (MiB) after the warm-up and a GC. */
  readonly rssStart: number
  readonly heapStart: number
  /** RSS (MiB) after a GC at each tenth of the calls. */
  readonly rssCheckpoints: ReadonlyArray<number>
  /** Heap used (MiB) after a GC at each tenth of the calls. */
  readonly heapCheckpoints: ReadonlyArray<number>
  /** The highest RSS (MiB) seen at a checkpoint before its GC. */
  readonly rssPeak: number
}

const mib = (bytes: number): number => bytes / 1024 / 1024

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with --expose-gc")
  collect()
  collect()
}

const [id, urlsJson, callsArg, concurrencyArg] = process.argv.slice(2) as [ClientId, string, string, string]
const calls = Number(callsArg)
const concurrency = Number(concurrencyArg)
const client = makeClient(id, JSON.parse(urlsJson) as Record<Shape, string>)

const run = async (count: number): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      await client.create()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

await run(1_000)
gc()
const rssStart = mib(process.memoryUsage.rss())
const heapStart = mib(process.memoryUsage().heapUsed)
const rssCheckpoints: Array<number> = []
const heapCheckpoints: Array<number> = []
let rssPeak = rssStart
let gcMillis = 0
const start = performance.now()
for (let i = 0; i < 10; i++) {
  await run(Math.round(calls / 10))
  rssPeak = Math.max(rssPeak, mib(process.memoryUsage.rss()))
  const gcStart = performance.now()
  gc()
  gcMillis += performance.now() - gcStart
  rssCheckpoints.push(mib(process.memoryUsage.rss()))
  heapCheckpoints.push(mib(process.memoryUsage().heapUsed))
}
const result: RssResult = {
  id,
  calls,
  seconds: (performance.now() - start - gcMillis) / 1000,
  rssStart,
  heapStart,
  rssCheckpoints,
  heapCheckpoints,
  rssPeak
}
await client.close()
process.send?.(result, () => process.exit(0))
