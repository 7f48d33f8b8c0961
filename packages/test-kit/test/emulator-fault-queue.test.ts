// The fault queue of the emulator, as pure transitions: no HTTP, no Ref.
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"
import * as Faults from "../src/internal/emulator/faults.js"

const status500 = Emulator.Fault.Status({ status: 500 })
const reset = Emulator.Fault.ConnectionReset()

const takeAll = (queue: Faults.FaultQueue, operations: ReadonlyArray<Emulator.Operation>) => {
  const taken: Array<Option.Option<Faults.FaultEntry>> = []
  for (const operation of operations) {
    const [entry, next] = Faults.take(queue, operation)
    taken.push(entry)
    queue = next
  }
  return { taken, queue }
}

describe("inject", () => {
  it("queues after the faults already injected, for any operation, once, before processing by default", () => {
    const queue = Faults.inject(Faults.inject(Faults.empty, status500), reset, {
      operation: "revoke",
      times: 3,
      afterProcessing: true
    })
    expect(queue).toEqual([
      { fault: status500, operation: "any", afterProcessing: false, remaining: 1 },
      { fault: reset, operation: "revoke", afterProcessing: true, remaining: 3 }
    ])
    expect(Faults.pending(queue)).toBe(4)
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("times %s adds nothing", (times) => {
    const queue = Faults.inject(Faults.empty, status500)
    expect(Faults.inject(queue, reset, { times })).toBe(queue)
  })
})

describe("take", () => {
  it("takes the first fault that applies, in the order injected; a fault for another operation waits", () => {
    let queue = Faults.inject(Faults.empty, reset, { operation: "revoke" })
    queue = Faults.inject(queue, status500)
    const { queue: rest, taken } = takeAll(queue, ["create", "create", "revoke"])
    expect(taken.map(Option.map((entry) => entry.fault))).toEqual([
      Option.some(status500),
      Option.none(),
      Option.some(reset)
    ])
    expect(rest).toEqual([])
  })

  it("an empty queue, or none for this operation: nothing taken, nothing changed", () => {
    expect(Faults.take(Faults.empty, "create")).toEqual([Option.none(), Faults.empty])
    const queue = Faults.inject(Faults.empty, status500, { operation: "revoke" })
    const [entry, after] = Faults.take(queue, "create")
    expect(entry).toEqual(Option.none())
    expect(after).toBe(queue)
  })

  it.prop(
    "a fault with times = n is taken exactly n times, by its own operation only",
    [
      fc.integer({ min: 1, max: 10 }),
      fc.constantFrom<Array<Emulator.Operation | "any">>("create", "revoke", "any"),
      fc.array(fc.constantFrom<Array<Emulator.Operation>>("create", "revoke"), { maxLength: 30 })
    ],
    ([times, operation, requests]) => {
      const queue = Faults.inject(Faults.empty, status500, { operation, times })
      const { queue: rest, taken } = takeAll(queue, requests)
      const matching = requests.filter((r) => operation === "any" || r === operation).length
      const takenBy = requests.filter((_, i) => Option.isSome(taken[i]!))
      expect(takenBy).toHaveLength(Math.min(times, matching))
      expect(takenBy.every((r) => operation === "any" || r === operation)).toBe(true)
      expect(Faults.pending(rest)).toBe(times - takenBy.length)
    }
  )
})
