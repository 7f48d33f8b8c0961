/**
 * The rate-limit ceiling, in real time over the in-memory emulator:
 *
 * A. with the client's `rateLimit` (an Effect `RateLimiter`, fixed window) at 25 requests per 250 ms (100/s, a
 *    fifth of what one process pushes through the in-memory emulator, measured first: the ceiling, not the CPU, must
 *    set the pace, also on a busy 2-core machine), 1,000 revokes finish with 0 failures, with no retry at all
 *    (`maxRetries: 0`) against an emulator that answers 429 beyond 50 per 250 ms (a fixed window can let 2 × limit
 *    through in any interval-long span that straddles a boundary), and within 10 % of the ceiling's minimum time:
 *    (1,000 / 25 − 1) × 250 ms = 9,750 ms.
 * B. without a client limit, the emulator's 429 + Retry-After (whole seconds) alone carries a bulk job of 1,000
 *    creates and 1,000 revokes through with 0 failures, `maxRetries` raised for the job, in well under a minute —
 *    and the creates retried after 429 leave exactly 1,000 tokens (429 is refused before processing).
 */
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { Emulator, TestClerk } from "@effect-clerk/test-kit"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer } from "effect"
import { classify, describeError } from "../packages/client/test/reliability/harness.js"

const clientOver = (emulator: Emulator.Service, options: Partial<ClerkClient.Options>) =>
  ClerkClient.layer({ secretKey: emulator.options.secretKey, apiUrl: emulator.options.baseUrl, ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, TestClerk.httpClient(emulator)))
  )

const now = Effect.sync(() => performance.now())

const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)

/** Outcomes by `_tag` (`ok` for a token); a defect counts as `DEFECT`. */
const tally = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const exit of exits) {
    const outcome = classify(exit)
    const key = outcome._tag === "Success" ? "ok" : outcome._tag === "Failure" ? describeError(outcome.error) : "DEFECT"
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** The most timestamps in any half-open span of `width` ms. */
const maxInSpan = (times: ReadonlyArray<number>, width: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + width) end++
    best = Math.max(best, end - start)
  }
  return best
}

const createAll = (n: number) =>
  Effect.forEach(
    range(n),
    (i) => Effect.exit(ActorTokens.create({ userId: `user_bulk_${i}`, actor: { sub: "user_support" } })),
    { concurrency: "unbounded" }
  )

describe("rate-limit ceiling", () => {
  it.scopedLive("A. client rateLimit 25 per 250 ms: 1,000 revokes, 0 failures, within 10 % of 9,750 ms", () =>
    Effect.gen(function*() {
      const limit = 25
      const interval = Duration.millis(250)
      const total = 1_000

      // The capacity without any limit, for scale.
      const free = yield* Emulator.make()
      const freeIds = (yield* createAll(total).pipe(Effect.provide(clientOver(free, { maxRetries: 0 })))).flatMap((
        exit
      ) => (Exit.isSuccess(exit) ? [exit.value.id] : []))
      const freeStart = yield* now
      const freeRevoked = yield* Effect.forEach(freeIds, (id) => Effect.exit(ActorTokens.revoke(id)), {
        concurrency: "unbounded"
      }).pipe(Effect.provide(clientOver(free, { maxRetries: 0 })))
      const freeElapsed = (yield* now) - freeStart
      expect(tally(freeRevoked)).toEqual({ ok: total })
      const emulator = yield* Emulator.make({ rateLimit: { limit: 2 * limit, interval } })
      const rateLimit = { limit, interval }

      const created = yield* createAll(total).pipe(Effect.provide(clientOver(emulator, { rateLimit, maxRetries: 0 })))
      expect(tally(created)).toEqual({ ok: total })
      const ids = created.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value.id] : []))
      // Let the emulator's window of the set-up run out; a fresh client starts a fresh limiter.
      yield* Effect.sleep(Duration.times(interval, 2))

      const start = yield* now
      const revoked = yield* Effect.forEach(ids, (id) => Effect.exit(ActorTokens.revoke(id)), {
        concurrency: "unbounded"
      }).pipe(Effect.provide(clientOver(emulator, { rateLimit, maxRetries: 0 })))
      const elapsed = (yield* now) - start

      const outcomes = tally(revoked)
      const tokens = yield* emulator.tokens
      const requests = yield* emulator.requestCount("revoke")
      const minimum = (Math.ceil(total / limit) - 1) * Duration.toMillis(interval)
      const busiest = maxInSpan(tokens.map((t) => t.updatedAt), Duration.toMillis(interval))
      console.log(
        [
          `A. unthrottled: 1,000 revokes in ${freeElapsed.toFixed(0)} ms ` +
          `(${(total / freeElapsed * 1000).toFixed(0)}/s, the process's capacity in memory)`,
          "   client rateLimit 25 per 250 ms (100/s), emulator limit 50 per 250 ms, maxRetries 0",
          `   outcomes ${JSON.stringify(outcomes)}, revoke requests seen by the emulator ${requests}`,
          `   elapsed ${elapsed.toFixed(0)} ms; ceiling's minimum ${minimum} ms; ` +
          `over the minimum by ${((elapsed / minimum - 1) * 100).toFixed(1)} % (goal ≤ 10 %)`,
          `   most revokes the emulator saw in any 250 ms span: ${busiest}`
        ].join("\n")
      )
      expect(outcomes).toEqual({ ok: total })
      expect(requests).toBe(total)
      expect(tokens.filter((t) => t.status === "revoked")).toHaveLength(total)
      // The ceiling held (nothing faster than its minimum), and cost no more than 10 % on top of it.
      expect(elapsed).toBeGreaterThanOrEqual(minimum - 5)
      expect(elapsed).toBeLessThanOrEqual(minimum * 1.1)
      expect(busiest).toBeLessThanOrEqual(2 * limit)
    }))

  it.scopedLive("B. no client limit: 429 + Retry-After alone, 1,000 creates and 1,000 revokes, 0 failures, < 1 min", () =>
    Effect.gen(function*() {
      const total = 1_000
      const perSecond = 200
      const emulator = yield* Emulator.make({ rateLimit: { limit: perSecond, interval: "1 second" } })
      const client = clientOver(emulator, { maxRetries: 30 })

      const createStart = yield* now
      const created = yield* createAll(total).pipe(Effect.provide(client))
      const createElapsed = (yield* now) - createStart
      const createRequests = yield* emulator.requestCount("create")
      expect(tally(created)).toEqual({ ok: total })
      // Each create refused with 429 was retried, and none was processed twice.
      expect(yield* emulator.tokens).toHaveLength(total)

      const ids = created.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value.id] : []))
      const start = yield* now
      const revoked = yield* Effect.forEach(ids, (id) => Effect.exit(ActorTokens.revoke(id)), {
        concurrency: "unbounded"
      }).pipe(Effect.provide(client))
      const elapsed = (yield* now) - start

      const outcomes = tally(revoked)
      const requests = yield* emulator.requestCount("revoke")
      const tokens = yield* emulator.tokens
      console.log(
        [
          "B. no client limit, emulator limit 200 per 1 s (429 + Retry-After in whole seconds), maxRetries 30",
          `   creates: ${JSON.stringify(tally(created))}, ${createRequests} requests ` +
          `(${createRequests - total} answered 429), ${(createElapsed / 1000).toFixed(1)} s, ` +
          `${tokens.length} tokens in the emulator`,
          `   revokes: ${JSON.stringify(outcomes)}, ${requests} requests (${requests - total} answered 429), ` +
          `${(elapsed / 1000).toFixed(1)} s (the limit's minimum: ${((total / perSecond) - 1).toFixed(0)} s)`
        ].join("\n")
      )
      expect(outcomes).toEqual({ ok: total })
      expect(tokens.filter((t) => t.status === "revoked")).toHaveLength(total)
      expect(requests).toBeGreaterThan(total)
      expect(createElapsed + elapsed).toBeLessThan(60_000)
    }))
})
