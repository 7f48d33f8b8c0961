/**
 * The shared rate limit at a scaled ceiling, in real time, across processes: 6 worker processes (the real client over
 * fetch, with `RedisRateLimiter` on a redis-server of the run's own) run 50 create + revoke jobs each, 15 at a time,
 * against one loopback emulator that plays Clerk's production limit scaled down: 50 requests per second for 1,000 per
 * 10 s. The processes share 50 per 1.1 s, the README's 1,000 per 11 s scaled the same way (a whole 22 ms per request,
 * and a tenth of a window of headroom in time). Goals: 0 requests answered 429, and within 15 % of the time Clerk's
 * ceiling allows at best. The control runs the same processes with in-process limits only.
 *
 * The scale is set by the emulator, which serves every process from one Node process: on a busy 2-core machine it
 * answers a burst of 100 requests over most of a second, longer than the headroom, whereas it answers 50 in a few
 * hundred milliseconds.
 */
import { EmulatorServer } from "@effect-clerk/test-kit"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  type Attempt,
  buildClient,
  redisServer,
  type Report,
  reports,
  tally,
  workers,
  type WorkerSettings
} from "../packages/client/test/redis/harness.js"

const KEY = "sk_test_soak_shared_rate_limit_0000"
const ceiling = { requests: 50, window: "1 second" } as const
const processes = 6
const jobs = 50

const attemptsOf = (list: ReadonlyArray<Report>): ReadonlyArray<Attempt> => list.flatMap((report) => report.attempts)

const run = (list: ReadonlyArray<WorkerSettings>) =>
  Effect.gen(function*() {
    const started = yield* workers(list, KEY)
    for (const worker of started) worker.go()
    return yield* reports(started)
  })

describe("shared rate limit across processes", () => {
  beforeAll(buildClient, 120_000)

  it.scopedLive(
    `${processes} processes share 50 per 1.1 s through Redis: 0 answered 429, within 15 % of the ceiling`,
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const settings = (name: string, apiUrl: string, redisUrl: string | null): WorkerSettings => ({
          name,
          apiUrl,
          redisUrl,
          onUnavailable: "fail",
          redisTimeoutMs: 1_000,
          limit: 50,
          intervalMs: 1_100,
          maxRetries: 0,
          jobs,
          concurrency: 15,
          pauseMs: 100
        })
        const names = Array.from({ length: processes }, (_, i) => `p${i}`)

        const server = yield* EmulatorServer.make({ port: 0, secretKey: KEY, rateLimit: ceiling })
        const shared = yield* run(names.map((name) => settings(name, server.url, redis.url)))
        const attempts = attemptsOf(shared)
        const elapsed = Math.max(...attempts.map((a) => a.received)) - Math.min(...attempts.map((a) => a.sent))
        const minimum = (Math.ceil(attempts.length / ceiling.requests) - 1) * 1_000
        const rejected = attempts.filter((a) => a.status === 429).length

        const control = yield* EmulatorServer.make({ port: 0, secretKey: KEY, rateLimit: ceiling })
        const controlRun = yield* run(names.map((name) => settings(name, control.url, null)))
        const controlAttempts = attemptsOf(controlRun)
        const controlRejected = controlAttempts.filter((a) => a.status === 429).length

        console.log([
          `${processes} processes × ${jobs} create+revoke jobs (15 at a time), emulator ceiling 50 per 1 s, maxRetries 0`,
          `  shared (RedisRateLimiter, 50 per 1.1 s): ${attempts.length} requests, ${rejected} answered 429, ` +
          `outcomes ${JSON.stringify(tally(shared))}; ${elapsed} ms from the first request to the last answer, ` +
          `the ceiling's minimum ${minimum} ms (+${((elapsed / minimum - 1) * 100).toFixed(1)} %, goal ≤ 15 %)`,
          `  control (in-process limits only): ${controlAttempts.length} requests, ${controlRejected} answered 429, ` +
          `outcomes ${JSON.stringify(tally(controlRun))}`
        ].join("\n"))

        expect(rejected).toBe(0)
        expect(tally(shared)).toEqual({ ok: processes * jobs * 2 })
        expect(elapsed).toBeLessThanOrEqual(minimum * 1.15)
        expect(controlRejected).toBeGreaterThan(0)
      }),
    240_000
  )
})
