/**
 * Worker: the SDK's CPU per call with the network removed (the tasks and stub transports are in stubs.ts), so
 * everything that remains is the SDK, `@effect/platform`, Effect and, for the MockAgent rows, undici's request path.
 * Measured with tinybench: each iteration runs 25 calls and reports their process CPU time per call
 * (`overriddenDuration`), so the statistics are CPU µs per call, free of the scheduler's timer yields; three passes
 * over all tasks (the second in reverse order), keeping the lowest mean (other work on the machine only ever adds
 * time), with the gap to the second-lowest as that row's noise.
 *
 * Components are measured alone, and whole calls in configuration and transport variants; differences between
 * variants isolate what a configuration switch or a response shape costs.
 */
import { Bench } from "tinybench"
import { type StubGroup, type StubTaskDef, stubTasks } from "./stubs.js"

export interface StubTask {
  readonly key: string
  readonly group: StubGroup
  readonly name: string
  /** A synchronous component (no `runPromise`): the harness row is not part of its price. */
  readonly sync?: true
  /** Mean CPU µs per call over batches of 25 (the lowest of the passes); p50 / p99 are over the batches. */
  readonly mean: number
  /**
   * The second-lowest minus the lowest mean over the passes: the noise of this row, µs (a pass slowed down by other
   * work on the machine does not widen it; two passes slowed down do).
   */
  readonly spread: number
  readonly p50: number
  readonly p99: number
}

const [timeArg] = process.argv.slice(2)
const time = Number(timeArg ?? "500")
const batch = 25

/** One tinybench iteration = `batch` calls; its duration is the process CPU time they took, per call. */
const perCallCpu = (fn: () => unknown) => async () => {
  const wallStart = performance.now()
  const start = process.cpuUsage()
  for (let i = 0; i < batch; i++) await fn()
  const used = process.cpuUsage(start)
  return {
    overriddenDuration: (used.user + used.system) / batch / 1000,
    // The time budget counts the whole batch, not the per-call sample.
    overriddenIterationCost: performance.now() - wallStart
  }
}

const pass = async (order: ReadonlyArray<StubTaskDef>): Promise<Map<string, StubTask>> => {
  const bench = new Bench({ time, warmupTime: Math.round(time / 3), iterations: 12, warmupIterations: 4, throws: true })
  for (const task of order) bench.add(task.key, perCallCpu(task.run))
  await bench.run()
  const out = new Map<string, StubTask>()
  for (const task of bench.tasks) {
    const result = task.result
    if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`)
    const def = stubTasks.find((t) => t.key === task.name)!
    out.set(task.name, {
      key: def.key,
      group: def.group,
      name: def.name,
      ...(def.sync ? { sync: def.sync } : {}),
      spread: 0,
      mean: result.latency.mean * 1000,
      p50: result.latency.p50 * 1000,
      p99: result.latency.p99 * 1000
    })
  }
  return out
}

// Three passes, the middle one in reverse order, so that no task always follows the same neighbour.
const passes = [await pass(stubTasks), await pass([...stubTasks].reverse()), await pass(stubTasks)]
const results: Array<StubTask> = stubTasks.map(({ key }) => {
  const runs = passes.map((p) => p.get(key)!).sort((a, b) => a.mean - b.mean)
  return { ...runs[0]!, spread: runs[1]!.mean - runs[0]!.mean }
})
process.send?.(results, () => process.exit(0))
