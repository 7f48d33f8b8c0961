import { Ids } from "@effect-clerk/schema"
import { Emulator } from "@effect-clerk/test-kit"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type MonitoredCommand, redisServer } from "../../client/test/redis/harness.js"
import { ExitCode } from "../src/ExitCode.js"
import { cli, createPending, envOf, inMemory, scratch } from "./utils/harness.js"

const files = scratch()
afterAll(() => files.cleanup())

/** Two accepted tokens of one user: two impersonated sessions to end. */
const twoImpersonations = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  for (let i = 0; i < 2; i++) yield* Effect.orDie(emulator.accept(yield* createPending("user_customer")))
})

/** Every request the emulator has seen, on any route. */
const requestsSeen = Effect.flatMap(
  Emulator.Emulator,
  (emulator) => Effect.map(emulator.requestCounts, (counts) => Object.values(counts).reduce((a, b) => a + b, 0))
)

/** The store's keys (the documented default prefix), and the probe the layer writes when it connects. */
const prefix = "effect-clerk:rate-limit:"
const probe = `${prefix}:probe`

/**
 * The windows the shared limiter's script wrote (its `SET`s, by counter key), leaving out the probe the layer makes
 * when it connects. A counter lives as long as its window, a few milliseconds here: `MONITOR` keeps the writes.
 */
const counterWrites = (commands: ReadonlyArray<MonitoredCommand>): Map<string, number> => {
  const writes = new Map<string, number>()
  for (const { args, lua } of commands) {
    const [name, key] = args
    if (lua && name?.toUpperCase() === "SET" && key?.startsWith(prefix) && !key.startsWith(probe)) {
      writes.set(key, (writes.get(key) ?? 0) + 1)
    }
  }
  return writes
}

describe("--rate-limit-redis (a real redis-server on loopback)", () => {
  it.scopedLive(
    "end and the bulk revoke share their --rate through Redis: one counter counts every request, never the key",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const monitor = yield* redis.monitor
        const emulator = yield* Emulator.Emulator
        const env = envOf(emulator)
        yield* twoImpersonations
        const beforeEnd = yield* requestsSeen
        const ended = yield* cli(
          ["end", "--user", "user_customer", "--rate", "40/1s", "--rate-limit-redis", redis.url],
          {
            env
          }
        )
        expect(ended.stderr).toBe("")
        expect(ended.code).toBe(ExitCode.Ok)
        expect(ended.stdout).toMatch(/^ended +2$/m)
        const sentByEnd = (yield* requestsSeen) - beforeEnd
        const duringEnd = yield* Effect.promise(monitor.commands)
        // One list and two revokes, each counted in the one counter of this key.
        expect(sentByEnd).toBe(3)
        const endCounters = counterWrites(duringEnd)
        expect([...endCounters.values()]).toEqual([sentByEnd])

        // The same from the environment, for a bulk revoke: the same counter.
        const ids = [yield* createPending(), yield* createPending()]
        const file = files.file("ids.txt", ids)
        const beforeRevoke = yield* requestsSeen
        const revoked = yield* cli(["revoke", "--from-file", file, "--rate", "40/1s"], {
          env: { ...env, CLERK_RATE_LIMIT_REDIS_URL: redis.url }
        })
        expect(revoked.code).toBe(ExitCode.Ok)
        expect(revoked.stdout).toMatch(/^revoked +2$/m)
        for (const id of ids) {
          expect(Option.map(yield* emulator.find(Ids.ActorTokenId.make(id)), (t) => t.status)).toEqual(
            Option.some("revoked")
          )
        }
        const sentByRevoke = (yield* requestsSeen) - beforeRevoke
        const all = yield* Effect.promise(monitor.commands)
        const revokeCounters = counterWrites(all.slice(duringEnd.length))
        expect(sentByRevoke).toBe(2)
        expect([...revokeCounters.keys()]).toEqual([...endCounters.keys()])
        expect([...revokeCounters.values()]).toEqual([sentByRevoke])

        // Neither the key nor anything else carrying it reached Redis, in a key name or in a value.
        expect(all.length).toBeGreaterThan(0)
        for (const { args } of all) {
          for (const arg of args) expect(arg).not.toContain(env.CLERK_SECRET_KEY)
        }
        for (const key of yield* Effect.promise(redis.keys)) expect(key).not.toContain(env.CLERK_SECRET_KEY)
      }).pipe(Effect.provide(inMemory())),
    { timeout: 60_000 }
  )

  it.effect("--rate-limit-redis without --rate is a usage error (2), and nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const result = yield* cli(["end", "--user", "user_customer", "--rate-limit-redis", "redis://127.0.0.1:1"], {
        env: envOf(emulator)
      })
      expect(result.code).toBe(ExitCode.Usage)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: --rate-limit-redis shares the --rate ceiling/)
      expect(yield* emulator.requestCount("listSessions")).toBe(0)
    }).pipe(Effect.provide(inMemory())))

  it.effect("a url that is not a Redis url is a configuration error (3) that does not quote it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const result = yield* cli(
        ["end", "--user", "user_customer", "--rate", "10/1s", "--rate-limit-redis", "http://user:s3cr3t@example.test"],
        { env: envOf(emulator) }
      )
      expect(result.code).toBe(ExitCode.Configuration)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: invalid --rate-limit-redis url/)
      expect(result.stderr).not.toContain("s3cr3t")
      expect(yield* emulator.requestCount("listSessions")).toBe(0)
    }).pipe(Effect.provide(inMemory())))
})
