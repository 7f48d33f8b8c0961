/**
 * Worker: one client, alone in a fresh process, makes `calls` creates with `concurrency` in flight and reports its
 * memory: after a warm-up, at ten checkpoints, and at the end after a full GC.
 */
import { type ClientId, makeClient } from "./clients.js"

export interface RssResult {
  readonly id: ClientId
  readonly calls: number
  readonly seconds: number
  /** RSS (MiB) after the warm-up and a GC. */
  readonly rssStart: number
  /** RSS (MiB) at each tenth of the calls, without forcing a GC. */
  readonly rssCheckpoints: ReadonlyArray<number>
  /** RSS (MiB) after all calls and a GC. */
  readonly rssEnd: number
  readonly heapStart: number
  readonly heapEnd: number
}

const mib = (bytes: number): number => bytes / 1024 / 1024

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with --expose-gc")
  collect()
  collect()
}

const [id, apiUrl, callsArg, concurrencyArg] = process.argv.slice(2) as [ClientId, string, string, string]
const calls = Number(callsArg)
const concurrency = Number(concurrencyArg)
const client = makeClient(id, apiUrl)

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
const checkpoints: Array<number> = []
const start = process.hrtime.bigint()
for (let i = 0; i < 10; i++) {
  await run(Math.round(calls / 10))
  checkpoints.push(mib(process.memoryUsage.rss()))
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9
gc()
const result: RssResult = {
  id,
  calls,
  seconds,
  rssStart,
  rssCheckpoints: checkpoints,
  rssEnd: mib(process.memoryUsage.rss()),
  heapStart,
  heapEnd: mib(process.memoryUsage().heapUsed)
}
await client.close()
process.send?.(result, () => process.exit(0))
