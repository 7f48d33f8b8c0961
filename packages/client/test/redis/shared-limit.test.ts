/**
 * The shared rate limit across real processes, on a real Redis: four worker processes run the client with
 * `RedisRateLimiter` against one loopback emulator whose own limit (40 per second, Clerk's 1,000 per 10 s scaled down)
 * plays Clerk's. The workers share 40 per 1,080 ms: 27 ms per request, a whole number of milliseconds as the Redis
 * store counts, and 8 % of headroom in time, which two fixed windows that are not aligned need (the client's window
 * starts with its first permit, Clerk's with the first request it receives, a few milliseconds later).
 */
import { Emulator, EmulatorServer } from "@effect-clerk/test-kit"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import { createHash } from "node:crypto"
import {
  atTheCeiling,
  buildClient,
  redisServer,
  type Report,
  reports,
  tally,
  workers,
  type WorkerSettings
} from "./harness.js"

const KEY = "sk_test_REDIS_SENTINEL_9c41e7d0"
const hashedKey = createHash("sha256").update(`effect-clerk/rate-limit:${KEY}`).digest("hex")
/** The emulator's limit: Clerk's ceiling in these tests. */
const ceiling = { limit: 40, interval: "1 second" } as const
const shared = { limit: 40, intervalMs: 1_080 }
const jobs = 40
const processes = 4

const settings = (name: string, apiUrl: string, redisUrl: string | null, more: Partial<WorkerSettings> = {}) => ({
  name,
  apiUrl,
  redisUrl,
  onUnavailable: "fail" as const,
  redisTimeoutMs: 1_000,
  ...shared,
  maxRetries: 0,
  jobs,
  // More fibers than permits per window, as in a bulk job: the queue of permits never runs dry.
  concurrency: 15,
  pauseMs: 100,
  ...more
})

const noSecretIn = (list: ReadonlyArray<Report>) => {
  for (const report of list) {
    expect(report.output).not.toContain(KEY)
    expect(JSON.stringify(report)).not.toContain(KEY)
  }
}

describe("a rate limit shared by processes through Redis", () => {
  beforeAll(buildClient, 120_000)

  it.scopedLive(
    "4 processes: 0 requests answered 429 at the ceiling, within 15 % of its time; the control gets 429s",
    () =>
      Effect.gen(function*() {
        const result = yield* atTheCeiling({
          processes,
          jobs,
          concurrency: 15,
          ...shared,
          ceiling: ceiling.limit,
          secretKey: KEY
        })
        console.log(result.summary)

        expect(result.rejected).toBe(0)
        expect(tally(result.shared)).toEqual({ ok: processes * jobs * 2 })
        // and one warm-up job per process
        expect(result.counts).toMatchObject({ create: processes * (jobs + 1), revoke: processes * (jobs + 1) })
        expect(result.elapsed).toBeLessThanOrEqual(result.minimum * 1.15)
        expect(result.elapsed).toBeGreaterThanOrEqual(result.minimum)
        expect(result.controlRejected).toBeGreaterThan(0)
        // The key in Redis is the hash of the secret key, under the prefix; the key itself is nowhere.
        expect(result.keys.length).toBeGreaterThan(0)
        expect(result.keys.every((key) => key.startsWith(`effect-clerk:rate-limit:${hashedKey}:`))).toBe(true)
        noSecretIn([...result.shared, ...result.control])
      }),
    120_000
  )

  it.scopedLive(
    "a 429 with Retry-After seen by one process holds all the others until it has passed",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const server = yield* EmulatorServer.make({ port: 0, secretKey: KEY, rateLimit: ceiling })
        const started = yield* workers(
          Array.from(
            { length: processes },
            (_, i) => settings(`worker${i}`, server.url, redis.url, { jobs: null, maxRetries: 2 })
          ),
          KEY
        )
        for (const worker of started) worker.go()
        yield* Effect.sleep(Duration.millis(1_500))
        yield* server.emulator.injectFault(Emulator.Fault.RateLimited({ retryAfter: "2 seconds" }))
        // The fault answers the next request; the block is in Redis a moment later.
        yield* server.emulator.pendingFaults.pipe(
          Effect.repeat({ until: (pending) => pending === 0, schedule: Schedule.spaced("10 millis") })
        )
        yield* Effect.sleep(Duration.millis(300))
        const keysDuringBlock = yield* Effect.promise(redis.keys)
        yield* Effect.sleep(Duration.millis(3_500))
        for (const worker of started) worker.stop()
        const list = yield* reports(started)

        const refused = list.flatMap((report) => report.attempts.map((a) => ({ ...a, name: report.name })))
          .filter((a) => a.status === 429)
        expect(refused).toHaveLength(1)
        const at = refused[0]!.received
        // The 429 came in the middle of a window's burst: the requests of that burst that had passed the limiter
        // before the block was recorded still go out (within a few hundred ms on a busy machine). After that, nothing
        // until the block ends.
        const grace = 300
        const sentAfter = (from: number) =>
          list.flatMap((report) =>
            report.attempts.filter((a) => a.sent > from).map((a) => ({ name: report.name, sent: a.sent }))
          )
        const stragglers = sentAfter(at).filter((a) => a.sent <= at + grace).length
        const after = sentAfter(at + grace)
        const firstAfter = Math.min(...after.map((a) => a.sent))
        const firstByOthers = Math.min(...after.filter((a) => a.name !== refused[0]!.name).map((a) => a.sent))
        console.log([
          `Retry-After: one 429 (Retry-After 2 s) injected into ${processes} processes running at the shared limit`,
          `  seen by ${
            refused[0]!.name
          }; ${stragglers} requests of the same burst went out within ${grace} ms; the next ` +
          `request from any process went ${firstAfter - at} ms after the 429, from another process ${
            firstByOthers - at
          } ms after it; outcomes ${JSON.stringify(tally(list))}`,
          `  keys during the block: ${keysDuringBlock.map((key) => key.replace(hashedKey, "<sha256>")).join(", ")}`
        ].join("\n"))

        expect(firstAfter - at).toBeGreaterThanOrEqual(1_950)
        expect(firstByOthers - at).toBeGreaterThanOrEqual(1_950)
        expect(firstByOthers - at).toBeLessThan(2_000 + shared.intervalMs + 1_000)
        expect(Object.keys(tally(list))).toEqual(["ok"])
        // The block and the generation it started, beside the counters, all under the hash of the secret key.
        expect(keysDuringBlock).toContain(`effect-clerk:rate-limit:${hashedKey}:blocked`)
        expect(keysDuringBlock).toContain(`effect-clerk:rate-limit:${hashedKey}:generation`)
        expect(keysDuringBlock.every((key) => key.startsWith(`effect-clerk:rate-limit:${hashedKey}:`))).toBe(true)
        noSecretIn(list)
      }),
    120_000
  )

  it.scopedLive(
    "Redis killed mid-run: calls fail fast (or go on, with continue); restarted: shared again",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const server = yield* EmulatorServer.make({ port: 0, secretKey: KEY, rateLimit: ceiling })
        const timed = { jobs: null, maxRetries: 2, concurrency: 10 }
        const started = yield* workers([
          settings("fail0", server.url, redis.url, timed),
          settings("fail1", server.url, redis.url, timed),
          settings("continue0", server.url, redis.url, { ...timed, onUnavailable: "continue" }),
          settings("continue1", server.url, redis.url, { ...timed, onUnavailable: "continue" })
        ], KEY)
        for (const worker of started) worker.go()
        yield* Effect.sleep(Duration.millis(1_500))
        const killedAt = Date.now()
        yield* Effect.promise(redis.kill)
        yield* Effect.sleep(Duration.millis(2_500))
        const restartedAt = Date.now()
        yield* Effect.promise(redis.restart)
        yield* Effect.sleep(Duration.millis(3_000))
        for (const worker of started) worker.stop()
        const list = yield* reports(started)

        const lines = [
          `Redis killed ${killedAt - Math.min(...list.flatMap((r) => r.calls.map((c) => c.start)))} ms into the run, ` +
          `restarted ${restartedAt - killedAt} ms later (limiter timeout ${1_000} ms)`
        ]
        for (const report of list) {
          const unavailable = report.calls.filter((c) => c.outcome === "ClerkRateLimiterUnavailable")
          const firstFailure = Math.min(...unavailable.map((c) => c.end))
          // A call that starts while Redis is down waits for nothing: it ends at once, or after the timeout at most.
          const longest = Math.max(
            0,
            ...unavailable.filter((c) => c.start > killedAt + 100).map((c) => c.end - c.start)
          )
          const okDuringOutage = report.calls.filter((c) =>
            c.outcome === "ok" && c.start > killedAt + 200 && c.end < restartedAt
          ).length
          const firstOkAfterRestart = Math.min(
            ...report.calls.filter((c) => c.outcome === "ok" && c.start > restartedAt).map((c) => c.end)
          )
          const warnings = report.logs.filter((log) => log.level === "WARN")
          const backAgain = report.logs.filter((log) => log.message.includes("available again"))
          lines.push(
            `  ${report.name}: ${unavailable.length} calls failed ClerkRateLimiterUnavailable ` +
              `(first ${firstFailure - killedAt} ms after the kill, longest ${longest} ms), ` +
              `${okDuringOutage} ok during the outage, first ok call after the restart ended ` +
              `${firstOkAfterRestart - restartedAt} ms after it; ${warnings.length} warning(s), ` +
              `${backAgain.length} "available again"; outcomes ${JSON.stringify(tally([report]))}`
          )
          if (report.name.startsWith("fail")) {
            expect(firstFailure - killedAt).toBeLessThan(1_000 + 500)
            expect(longest).toBeLessThanOrEqual(1_000 + 250)
            expect(okDuringOutage).toBe(0)
            expect(warnings).toHaveLength(0)
          } else {
            expect(unavailable).toHaveLength(0)
            expect(okDuringOutage).toBeGreaterThan(0)
            expect(warnings).toHaveLength(1)
            expect(warnings[0]!.at).toBeGreaterThanOrEqual(killedAt)
            expect(backAgain.length).toBeGreaterThanOrEqual(1)
          }
          expect(firstOkAfterRestart - restartedAt).toBeLessThan(3_000)
        }
        console.log(lines.join("\n"))
        noSecretIn(list)
      }),
    120_000
  )
})
