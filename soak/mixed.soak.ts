/**
 * The soak: 20,000 mixed operations (45 % create, 45 % revoke of a known token — pending or not —, 10 % revoke of an
 * unknown id) through the real client over the in-memory emulator, in real time, at concurrency 50, with 5 % of the
 * operations preceded by a random injected fault (a quarter of them after processing). In 4 rounds of 5,000, after
 * a warm-up round of 1,000:
 *
 * - every call ends, within a generous deadline, in a token or one typed error of the client's union: no defect;
 * - no create is duplicated: the tokens the emulator holds exceed the creates that succeeded by at most the creates
 *   faulted after processing (the ambiguous failures), since `create` is not retried after them;
 * - the fibers forked by a round (tracked with `Supervisor.track`) are all gone when it ends, and the global fiber
 *   roots (`Fiber.roots`) are back to the baseline;
 * - the heap after a full GC (`--expose-gc`) stays flat from round to round (within 2 MiB from the first full round to
 *   the last; the warm-up figure is reported too).
 */
import { ActorTokens } from "@effect-clerk/client"
import { Emulator, TestClerk } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Random, Supervisor } from "effect"
import { classify, describeError } from "../packages/client/test/reliability/harness.js"

const rounds = 4
const perRound = 5_000
const warmUp = 1_000
const concurrency = 50
const faultRate = 0.05
const deadline = Duration.seconds(30)

const faults: ReadonlyArray<{ readonly fault: Emulator.Fault; readonly beforeOnly?: boolean }> = [
  { fault: Emulator.Fault.Status({ status: 500 }) },
  { fault: Emulator.Fault.Status({ status: 502 }) },
  { fault: Emulator.Fault.Status({ status: 503 }) },
  { fault: Emulator.Fault.Status({ status: 504 }) },
  // Clerk refuses a rate-limited request before acting on it: a 429 never comes after processing.
  { fault: Emulator.Fault.RateLimited({ retryAfter: "1 second" }), beforeOnly: true },
  { fault: Emulator.Fault.RateLimited({ retryAfter: "1 second", httpDate: true }), beforeOnly: true },
  { fault: Emulator.Fault.ConnectionReset() },
  { fault: Emulator.Fault.Stall() },
  { fault: Emulator.Fault.HtmlPage({ status: 502 }) },
  { fault: Emulator.Fault.HtmlPage({ status: 200 }) },
  { fault: Emulator.Fault.TruncatedJson() },
  { fault: Emulator.Fault.WrongShape() },
  { fault: Emulator.Fault.EmptyBody() }
]

interface RoundStats {
  readonly outcomes: Record<string, number>
  readonly createOk: number
  readonly tokens: number
  readonly createFaultsAfterProcessing: number
  readonly faultsInjected: number
  readonly revokedButPending: number
  readonly elapsedMillis: number
}

/** One round of `n` operations against a clean emulator. */
const round = (n: number) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    yield* emulator.reset
    const ids: Array<string> = []
    const revokedIds: Array<string> = []
    const outcomes: Record<string, number> = {}
    let createOk = 0
    let faultsInjected = 0
    let createFaultsAfterProcessing = 0

    const operation = (i: number) =>
      Effect.gen(function*() {
        const pick = yield* Random.next
        const kind = pick < 0.45 || ids.length === 0 ? "create" : pick < 0.9 ? "revoke" : "revoke-unknown"
        const operation = kind === "create" ? "create" : "revoke"
        if ((yield* Random.next) < faultRate) {
          const { beforeOnly, fault } = faults[yield* Random.nextIntBetween(0, faults.length)]!
          const afterProcessing = beforeOnly !== true && (yield* Random.next) < 0.25
          faultsInjected++
          if (afterProcessing && operation === "create") createFaultsAfterProcessing++
          yield* emulator.injectFault(fault, { operation, afterProcessing })
        }
        const id = kind === "revoke" ? ids[yield* Random.nextIntBetween(0, ids.length)]! : `act_unknown_${i}`
        const call = kind === "create"
          ? ActorTokens.create({ userId: `user_soak_${i}`, actor: { sub: "user_support", round: i } })
          : ActorTokens.revoke(id)
        const exit = yield* call.pipe(Effect.timeout(deadline), Effect.exit)
        const outcome = classify(exit)
        const key = outcome._tag === "Success"
          ? `${kind} ok`
          : outcome._tag === "Failure"
          ? `${kind} ${describeError(outcome.error)}`
          : Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "TimeoutException"
          ? "HANG"
          : "DEFECT"
        outcomes[key] = (outcomes[key] ?? 0) + 1
        if (Exit.isSuccess(exit)) {
          if (kind === "create") {
            createOk++
            ids.push(exit.value.id)
          } else {
            revokedIds.push(exit.value.id)
          }
        }
      })

    const start = performance.now()
    yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), operation, { concurrency, discard: true })
    const elapsedMillis = performance.now() - start
    const tokens = yield* emulator.tokens
    const byId = new Map(tokens.map((t) => [t.id as string, t.status]))
    yield* emulator.clearFaults
    return {
      outcomes,
      createOk,
      tokens: tokens.length,
      createFaultsAfterProcessing,
      faultsInjected,
      revokedButPending: revokedIds.filter((id) => byId.get(id) !== "revoked").length,
      elapsedMillis
    } satisfies RoundStats
  })

const gc = (globalThis as { gc?: () => void }).gc

/** Heap used after full collections, in MiB. */
const heapAfterGc = Effect.promise(async () => {
  for (let i = 0; i < 3; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed / (1024 * 1024)
})

describe("soak", () => {
  it.live("20,000 mixed operations, 5 % faults, concurrency 50", () =>
    Effect.gen(function*() {
      expect(gc, "run node with --expose-gc (pnpm test:soak does)").toBeTypeOf("function")
      const supervisor = yield* Supervisor.track
      const tracked = Effect.flatMap(Effect.sleep("20 millis"), () => supervisor.value)

      yield* round(warmUp).pipe(Effect.supervised(supervisor))
      const baselineFibers = (yield* tracked).length
      const baselineRoots = (yield* Fiber.roots).length
      const baselineHeap = yield* heapAfterGc

      const lines: Array<string> = [
        `soak: ${rounds} rounds × ${perRound} operations, concurrency ${concurrency}, ${faultRate * 100} % faults`,
        `   baseline after a ${warmUp}-operation warm-up: heap ${baselineHeap.toFixed(2)} MiB, ` +
        `${baselineFibers} tracked fibers alive, ${baselineRoots} fiber roots`
      ]
      const totals: Record<string, number> = {}
      const heaps: Array<number> = []
      let elapsed = 0
      for (let r = 1; r <= rounds; r++) {
        const stats = yield* round(perRound).pipe(Effect.supervised(supervisor))
        const alive = (yield* tracked).length
        const roots = (yield* Fiber.roots).length
        const heap = yield* heapAfterGc
        heaps.push(heap)
        elapsed += stats.elapsedMillis
        for (const [key, count] of Object.entries(stats.outcomes)) totals[key] = (totals[key] ?? 0) + count
        lines.push(
          `   round ${r}: ${(stats.elapsedMillis / 1000).toFixed(1)} s ` +
            `(${(perRound / stats.elapsedMillis * 1000).toFixed(0)} ops/s), ${stats.faultsInjected} faults, ` +
            `creates ok ${stats.createOk}, tokens ${stats.tokens} ` +
            `(≤ +${stats.createFaultsAfterProcessing} ambiguous), tracked fibers alive ${alive}, ` +
            `fiber roots ${roots}, heap after GC ${heap.toFixed(2)} MiB`
        )
        expect(Object.values(stats.outcomes).reduce((a, b) => a + b, 0)).toBe(perRound)
        expect(stats.outcomes["DEFECT"] ?? 0).toBe(0)
        expect(stats.outcomes["HANG"] ?? 0).toBe(0)
        expect(stats.tokens).toBeGreaterThanOrEqual(stats.createOk)
        expect(stats.tokens - stats.createOk).toBeLessThanOrEqual(stats.createFaultsAfterProcessing)
        expect(stats.revokedButPending).toBe(0)
        expect(alive).toBe(baselineFibers)
        expect(roots).toBe(baselineRoots)
      }
      // The first full round still warms up (code caches, interned strings): flat means flat from there on.
      const before = heaps[0]!
      const after = heaps[heaps.length - 1]!
      const growth = after - before
      lines.push(
        `   total: ${rounds * perRound} operations in ${(elapsed / 1000).toFixed(1)} s; heap after GC: after round 1 ` +
          `${before.toFixed(2)} MiB → after round ${rounds} ${after.toFixed(2)} MiB ` +
          `(${growth >= 0 ? "+" : ""}${growth.toFixed(2)} MiB over ${(rounds - 1) * perRound} operations)`,
        `   outcomes: ${
          Object.entries(totals).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ")
        }`
      )
      console.log(lines.join("\n"))
      // Flat: a leak of even 150 bytes per operation would add over 2 MiB across the last 15,000.
      expect(growth).toBeLessThan(2)
      expect(Math.max(...heaps) - Math.min(...heaps)).toBeLessThan(2)
    }).pipe(
      Effect.provide(TestClerk.layer({ client: { maxRetries: 2, timeout: "1 second" } })),
      Effect.withRandom(Random.make("soak"))
    ))
})
