/**
 * The fault queue: faults injected by a test, each for the next `times` requests to an operation (or to any), used in
 * the order they were injected. Matching knows no operation by name: a new Backend API operation is covered as soon
 * as its route asks the queue.
 */
import * as Option from "effect/Option"
import type { Fault, FaultOptions, Operation } from "../../Emulator.js"

/** @internal One injected fault and how many more requests it applies to. */
export interface FaultEntry {
  readonly fault: Fault
  readonly operation: Operation | "any"
  readonly afterProcessing: boolean
  readonly remaining: number
}

/** @internal The faults still to be used, first injected first. */
export type FaultQueue = ReadonlyArray<FaultEntry>

/** @internal */
export const empty: FaultQueue = []

/** @internal Queues `fault` after the faults already injected; `times` below 1 (or not a whole number) adds nothing. */
export const inject = (queue: FaultQueue, fault: Fault, options: FaultOptions = {}): FaultQueue => {
  const times = options.times ?? 1
  if (!Number.isSafeInteger(times) || times < 1) return queue
  return [...queue, {
    fault,
    operation: options.operation ?? "any",
    afterProcessing: options.afterProcessing ?? false,
    remaining: times
  }]
}

/** @internal Takes the first fault that applies to a request to `operation`, counting one of its `times` down. */
export const take = (queue: FaultQueue, operation: Operation): readonly [Option.Option<FaultEntry>, FaultQueue] => {
  const index = queue.findIndex((entry) => entry.operation === "any" || entry.operation === operation)
  const entry = queue[index]
  if (entry === undefined) return [Option.none(), queue]
  const rest = entry.remaining > 1
    ? queue.map((e, i) => i === index ? { ...e, remaining: e.remaining - 1 } : e)
    : queue.filter((_, i) => i !== index)
  return [Option.some(entry), rest]
}

/** @internal How many faulted requests are still to come. */
export const pending = (queue: FaultQueue): number => queue.reduce((n, entry) => n + entry.remaining, 0)
