/** Numbers as the report prints them, Markdown tables, and the lookups and statistics the report's parts share. */
import { type ClientId } from "../clients.js"
import { type ColdMode, type Program } from "../cold.js"
import type { StubTask } from "../stub.js"
import type { Results } from "./results.js"

export const us = (value: number | undefined): string =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(0) : "–"
export const x = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–")
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
export const signedKb = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024).toFixed(1)} KB`
export const mb = (value: number): string => value.toFixed(1)
export const signed = (value: number, digits = 0): string =>
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
export const ratioWithError = (a: number, seA: number, b: number, seB: number) => {
  const ratio = a / b
  return { ratio, se: ratio * Math.sqrt((seA / a) ** 2 + (seB / b) ** 2) }
}

export const showRatio = (r: { readonly ratio: number; readonly se: number }): string =>
  Number.isFinite(r.se) ? `${x(r.ratio)} ± ${r.se.toFixed(2)}` : x(r.ratio)

/** The standard error of the median of throughput rounds, approximated by that of their mean. */
export const roundsStdErr = (rounds: ReadonlyArray<number>): number => {
  if (rounds.length < 2) return Number.NaN
  const mean = rounds.reduce((a, b) => a + b, 0) / rounds.length
  return Math.sqrt(rounds.reduce((a, b) => a + (b - mean) ** 2, 0) / (rounds.length - 1) / rounds.length)
}

/** Least-squares growth (MiB) over the second half of the checkpoints: from the middle one to the last. */
export const secondHalfGrowth = (checkpoints: ReadonlyArray<number>): number => {
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
