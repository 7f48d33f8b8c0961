/**
 * The interleaved measurements of one process: each round runs a batch of every client in turn (the order rotates
 * each round), so drift — JIT, GC, thermal, a neighbour — spreads over all clients instead of favouring one.
 */
import type { BenchClient, ClientId } from "./clients.js"

export type Operation = "create" | "revoke"

export interface SequentialResult {
  readonly id: ClientId
  readonly op: Operation
  readonly p50: number
  /** Standard error of the p50, from the p50 of each round, µs. */
  readonly p50StdErr: number
  readonly p99: number
  readonly mean: number
  /** Client CPU (user + system) per call, µs. */
  readonly cpuPerCall: number
  /** Of which in user space, µs (the rest is the kernel: loopback TCP, waking the server). */
  readonly userPerCall: number
  /** Standard error of `cpuPerCall`, from its spread over the rounds, µs. */
  readonly cpuStdErr: number
}

export interface ThroughputResult {
  readonly id: ClientId
  /** Requests per second, one value per round. */
  readonly rounds: ReadonlyArray<number>
  readonly median: number
  /** Client CPU per call at this concurrency, µs. */
  readonly cpuPerCall: number
  /** Share of one core the server spent, while this client ran (0–1). */
  readonly serverLoad: number
}

const quantile = (sorted: Float64Array | ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index]!
}

const standardError = (values: ReadonlyArray<number>): number => {
  if (values.length < 2) return Number.NaN
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)
  return Math.sqrt(variance / values.length)
}

const median = (values: ReadonlyArray<number>): number => quantile([...values].sort((a, b) => a - b), 0.5)

const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

const userMicros = (): number => process.cpuUsage().user

const rotate = <A>(items: ReadonlyArray<A>, by: number): Array<A> =>
  items.map((_, i) => items[(i + by) % items.length]!)

export const warmUp = async (clients: ReadonlyArray<BenchClient>, calls: number): Promise<void> => {
  for (const client of clients) {
    for (let i = 0; i < calls; i++) {
      await client.create()
      await client.revoke()
    }
  }
}

/** Sequential calls, one at a time: latency percentiles and CPU per call. */
export const sequential = async (
  clients: ReadonlyArray<BenchClient>,
  op: Operation,
  options: { readonly rounds: number; readonly batch: number }
): Promise<Array<SequentialResult>> => {
  const samples = new Map(clients.map((c) => [c.id, new Float64Array(options.rounds * options.batch)]))
  const cpu = new Map(clients.map((c) => [c.id, 0]))
  const user = new Map(clients.map((c) => [c.id, 0]))
  const cpuRounds = new Map(clients.map((c) => [c.id, [] as Array<number>]))
  for (let round = 0; round < options.rounds; round++) {
    for (const client of rotate(clients, round)) {
      const call = client[op]
      const out = samples.get(client.id)!
      const userStart = userMicros()
      const cpuStart = cpuMicros()
      for (let i = 0; i < options.batch; i++) {
        const start = process.hrtime.bigint()
        await call()
        out[round * options.batch + i] = Number(process.hrtime.bigint() - start) / 1000
      }
      const used = cpuMicros() - cpuStart
      cpu.set(client.id, cpu.get(client.id)! + used)
      cpuRounds.get(client.id)!.push(used / options.batch)
      user.set(client.id, user.get(client.id)! + userMicros() - userStart)
    }
  }
  return clients.map((client) => {
    const all = samples.get(client.id)!
    const roundP50s = Array.from(
      { length: options.rounds },
      (_, round) => quantile(all.slice(round * options.batch, (round + 1) * options.batch).sort(), 0.5)
    )
    const sorted = all.sort()
    let sum = 0
    for (const value of sorted) sum += value
    return {
      id: client.id,
      op,
      p50: quantile(sorted, 0.5),
      p50StdErr: standardError(roundP50s),
      p99: quantile(sorted, 0.99),
      mean: sum / sorted.length,
      cpuPerCall: cpu.get(client.id)! / sorted.length,
      userPerCall: user.get(client.id)! / sorted.length,
      cpuStdErr: standardError(cpuRounds.get(client.id)!)
    }
  })
}

/** Creates with `concurrency` in flight for `millis` per client and round: requests per second. */
export const throughput = async (
  clients: ReadonlyArray<BenchClient>,
  options: {
    readonly rounds: number
    readonly millis: number
    readonly concurrency: number
    readonly serverCpu: () => Promise<number>
  }
): Promise<Array<ThroughputResult>> => {
  const rates = new Map(clients.map((c) => [c.id, [] as Array<number>]))
  const cpu = new Map(clients.map((c) => [c.id, 0]))
  const calls = new Map(clients.map((c) => [c.id, 0]))
  const serverCpu = new Map(clients.map((c) => [c.id, 0]))
  const elapsed = new Map(clients.map((c) => [c.id, 0]))
  for (let round = 0; round < options.rounds; round++) {
    for (const client of rotate(clients, round)) {
      let done = 0
      let open = true
      const worker = async () => {
        while (open) {
          await client.create()
          done++
        }
      }
      const serverStart = await options.serverCpu()
      const cpuStart = cpuMicros()
      const start = process.hrtime.bigint()
      const timer = setTimeout(() => (open = false), options.millis)
      await Promise.all(Array.from({ length: options.concurrency }, worker))
      clearTimeout(timer)
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      cpu.set(client.id, cpu.get(client.id)! + cpuMicros() - cpuStart)
      calls.set(client.id, calls.get(client.id)! + done)
      serverCpu.set(client.id, serverCpu.get(client.id)! + (await options.serverCpu()) - serverStart)
      elapsed.set(client.id, elapsed.get(client.id)! + seconds)
      rates.get(client.id)!.push(done / seconds)
    }
  }
  return clients.map((client) => ({
    id: client.id,
    rounds: rates.get(client.id)!,
    median: median(rates.get(client.id)!),
    cpuPerCall: cpu.get(client.id)! / calls.get(client.id)!,
    serverLoad: serverCpu.get(client.id)! / 1e6 / elapsed.get(client.id)!
  }))
}
